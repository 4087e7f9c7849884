// GoogleTest fixture that gives each test a fresh TestCluster, and shorthands for the RPCs the
// integration tests make. On failure the daemons' log tails are printed.
#pragma once

#include <gtest/gtest.h>

#include <iostream>
#include <memory>
#include <string>

#include "tests/integration/test_cluster.h"

namespace tessera::testing {

class ClusterTest : public ::testing::Test {
 protected:
  virtual ClusterOptions Options() const { return {}; }

  void SetUp() override {
    Result<std::unique_ptr<TestCluster>> cluster = TestCluster::Start(Options());
    ASSERT_TRUE(cluster.ok()) << cluster.status().ToString();
    cluster_ = std::move(cluster).value();
  }

  void TearDown() override {
    if (HasFailure() && cluster_) std::cerr << cluster_->DescribeLogs();
    cluster_.reset();
  }

  RpcClientPool<rpc::MasterServiceClient>& master() { return cluster_->master_rpc(); }
  const HostPort& master_address() const { return cluster_->master_address(); }

  Result<rpc::Attr> Mkdir(int64_t parent, const std::string& name, int32_t mode = 0755) {
    return CallFor<rpc::Attr>(master(), master_address(), [&](auto& c, rpc::Attr& out) {
      c.mkdir(out, cluster_->NextContext(), parent, name, mode);
    });
  }
  Result<rpc::Attr> Create(int64_t parent, const std::string& name, int32_t mode = 0644) {
    return CallFor<rpc::Attr>(master(), master_address(), [&](auto& c, rpc::Attr& out) {
      c.create(out, cluster_->NextContext(), parent, name, mode);
    });
  }
  Result<rpc::Attr> Lookup(int64_t parent, const std::string& name) {
    return CallFor<rpc::Attr>(master(), master_address(), [&](auto& c, rpc::Attr& out) {
      c.lookup(out, cluster_->NextContext(), parent, name);
    });
  }
  Result<rpc::Attr> GetAttr(int64_t inode) {
    return CallFor<rpc::Attr>(master(), master_address(), [&](auto& c, rpc::Attr& out) {
      c.getattr(out, cluster_->NextContext(), inode);
    });
  }
  Result<rpc::ReaddirReply> Readdir(int64_t inode, const std::string& after = "", int max = 1000,
                                    bool with_attrs = false) {
    return CallFor<rpc::ReaddirReply>(
        master(), master_address(), [&](auto& c, rpc::ReaddirReply& out) {
          c.readdir(out, cluster_->NextContext(), inode, after, max, with_attrs);
        });
  }
  Status Unlink(int64_t parent, const std::string& name) {
    return CallVoid(master(), master_address(),
                    [&](auto& c) { c.unlink(cluster_->NextContext(), parent, name); });
  }
  Status Rmdir(int64_t parent, const std::string& name) {
    return CallVoid(master(), master_address(),
                    [&](auto& c) { c.rmdir(cluster_->NextContext(), parent, name); });
  }
  Status Rename(int64_t old_parent, const std::string& old_name, int64_t new_parent,
                const std::string& new_name) {
    return CallVoid(master(), master_address(), [&](auto& c) {
      c.rename(cluster_->NextContext(), old_parent, old_name, new_parent, new_name, 0);
    });
  }
  Result<rpc::ChunkInfo> PrepareWrite(int64_t inode, int64_t chunk_index) {
    return CallFor<rpc::ChunkInfo>(master(), master_address(), [&](auto& c, rpc::ChunkInfo& out) {
      c.prepareWrite(out, cluster_->NextContext(), inode, chunk_index);
    });
  }
  Result<std::vector<rpc::ChunkInfo>> GetChunks(int64_t inode, int64_t first, int32_t count) {
    return CallFor<std::vector<rpc::ChunkInfo>>(
        master(), master_address(), [&](auto& c, std::vector<rpc::ChunkInfo>& out) {
          c.getChunks(out, cluster_->NextContext(), inode, first, count);
        });
  }
  Result<rpc::Attr> CommitWrite(int64_t inode, int64_t end_offset, int64_t mtime_ns) {
    return CallFor<rpc::Attr>(master(), master_address(), [&](auto& c, rpc::Attr& out) {
      c.commitWrite(out, cluster_->NextContext(), inode, end_offset, mtime_ns);
    });
  }

  // Chunk server RPCs go to an explicit address (a replica of the chain).
  Status WriteChunk(const HostPort& to, const rpc::WriteChunkRequest& request) {
    return CallVoid(cluster_->chunk_server_rpc(), to, [&](auto& c) { c.writeChunk(request); });
  }
  Result<std::string> ReadChunk(const HostPort& from, const rpc::ReadChunkRequest& request) {
    return CallFor<std::string>(cluster_->chunk_server_rpc(), from,
                                [&](auto& c, std::string& out) { c.readChunk(out, request); });
  }
  Result<rpc::ChunkServerStats> ChunkServerStats(const HostPort& at) {
    return CallFor<rpc::ChunkServerStats>(
        cluster_->chunk_server_rpc(), at,
        [&](auto& c, rpc::ChunkServerStats& out) { c.stats(out); });
  }

  static HostPort AddressOf(const rpc::ChunkServerAddress& replica) {
    return HostPort{replica.host, replica.port};
  }

  std::unique_ptr<TestCluster> cluster_;
};

}  // namespace tessera::testing
