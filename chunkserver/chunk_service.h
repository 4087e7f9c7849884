// The ChunkServerService RPC handler: validates each request, applies it to the ChunkStore and,
// for writes and syncs, forwards it down the replication chain. replicateChunk copies a chunk in
// from other servers through the ChunkReplicator.
//
// Chain replication: a write with a non-empty `downstream` is forwarded (with the head removed)
// to downstream[0] on a separate thread while the local write runs; success is answered only
// when both succeeded. Errors cross this edge only as TesseraError (ThrowIfError).
//
// Thread-safety: one instance serves every connection concurrently. It holds no lock of its own:
// the store serializes per chunk, the client pool and the replicator are thread-safe and the
// counters are atomic. The store must outlive the service.
#pragma once

#include <atomic>
#include <cstdint>

#include "chunkserver/chunk_replicator.h"
#include "chunkserver/chunk_source.h"
#include "chunkserver/chunk_store.h"
#include "common/clock.h"
#include "common/rpc_client.h"
#include "gen-cpp/ChunkServerService.h"

namespace tessera {

class ChunkService final : public rpc::ChunkServerServiceIf {
 public:
  // `peer_options` serve both chain forwarding and the reads of replication.
  explicit ChunkService(ChunkStore* store, RpcClientOptions peer_options = {},
                        ReplicationOptions replication = {});

  void writeChunk(const rpc::WriteChunkRequest& request) override;
  void readChunk(std::string& _return, const rpc::ReadChunkRequest& request) override;
  void syncChunk(const rpc::SyncChunkRequest& request) override;
  void stats(rpc::ChunkServerStats& _return) override;
  void replicateChunk(rpc::ReplicateChunkReply& _return,
                      const rpc::ReplicateChunkRequest& request) override;

  // The same operations as Status values, for in-process callers and tests.
  Status Write(const rpc::WriteChunkRequest& request);
  Result<std::string> Read(const rpc::ReadChunkRequest& request);
  Status Sync(const rpc::SyncChunkRequest& request);
  Result<rpc::ReplicateChunkReply> Replicate(const rpc::ReplicateChunkRequest& request);
  rpc::ChunkServerStats Stats() const;

  int64_t corruptions_detected() const { return corruptions_detected_.load(); }
  // Data bytes this server stored for writes (its own copy) and returned to reads.
  int64_t bytes_written() const { return bytes_written_.load(std::memory_order_relaxed); }
  int64_t bytes_read() const { return bytes_read_.load(std::memory_order_relaxed); }
  ReplicationCounters replication_counters() const { return replicator_.counters(); }

 private:
  Status ForwardWrite(const rpc::WriteChunkRequest& request);
  Status ForwardSync(const rpc::SyncChunkRequest& request);

  ChunkStore* const store_;
  RpcClientPool<rpc::ChunkServerServiceClient> replicas_;
  RpcChunkSource replication_source_;  // reads through replicas_
  SystemClock clock_;
  ChunkReplicator replicator_;
  std::atomic<int32_t> active_requests_{0};
  std::atomic<int64_t> corruptions_detected_{0};
  std::atomic<int64_t> bytes_written_{0};
  std::atomic<int64_t> bytes_read_{0};
};

}  // namespace tessera
