// MasterLink against fake masters served by real RpcServers on 127.0.0.1.
#include "chunkserver/master_link.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "common/rpc_errors.h"
#include "common/rpc_server.h"
#include "tests/unit/chunkserver/test_util.h"

namespace tessera {
namespace {

using testing::Bytes;
using testing::FreeLoopbackPort;
using testing::TempDir;

// Records what the chunk server tells it. A fake with `leader_hint` set answers NOT_LEADER.
class FakeMaster : public rpc::MasterServiceNull {
 public:
  explicit FakeMaster(std::string leader_hint = "") : leader_hint_(std::move(leader_hint)) {}

  void registerChunkServer(rpc::RegisterReply& reply, const rpc::ChunkServerInfo& info,
                           const std::vector<rpc::ChunkReport>& chunks) override {
    RefuseIfFollower();
    std::lock_guard lock(mu);
    ++registrations;
    last_info = info;
    last_full_report = chunks;
    reply.heartbeat_interval_ms = 1000;
  }

  void heartbeat(rpc::HeartbeatReply& reply, int64_t server_id, const rpc::ChunkServerStats& stats,
                 const std::vector<rpc::ChunkReport>& added,
                 const std::vector<int64_t>& removed) override {
    RefuseIfFollower();
    std::lock_guard lock(mu);
    ++heartbeats;
    last_stats = stats;
    for (const auto& report : added) added_seen.push_back(report.chunk_id);
    removed_seen.insert(removed_seen.end(), removed.begin(), removed.end());
    reply.delete_chunks = std::move(delete_next);
    delete_next.clear();
    reply.reregister = reregister_next;
    reregister_next = false;
  }

  std::mutex mu;  // guards everything below
  int registrations = 0;
  int heartbeats = 0;
  rpc::ChunkServerInfo last_info;
  std::vector<rpc::ChunkReport> last_full_report;
  rpc::ChunkServerStats last_stats;
  std::vector<int64_t> added_seen;
  std::vector<int64_t> removed_seen;
  std::vector<int64_t> delete_next;
  bool reregister_next = false;

 private:
  void RefuseIfFollower() {
    if (!leader_hint_.empty()) throw ToRpcError(Status::NotLeader("not the leader"), leader_hint_);
  }

  const std::string leader_hint_;
};

struct FakeMasterServer {
  std::shared_ptr<FakeMaster> master;
  std::unique_ptr<RpcServer> server;
  HostPort address;

  explicit FakeMasterServer(std::string leader_hint = "")
      : master(std::make_shared<FakeMaster>(std::move(leader_hint))),
        address{"127.0.0.1", FreeLoopbackPort()} {
    server = std::make_unique<RpcServer>(
        std::make_shared<rpc::MasterServiceProcessorFactory>(
            std::make_shared<rpc::MasterServiceIfSingletonFactory>(master)),
        address);
    Status started = server->Start();
    EXPECT_TRUE(started.ok()) << started.ToString();
  }
};

// Polls `condition` until it holds or 10 s pass.
template <typename F>
bool WaitUntil(F&& condition) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return condition();
}

TEST(MasterLinkTest, FollowsLeaderHintReportsChunksDeletesAndReregisters) {
  FakeMasterServer leader;
  FakeMasterServer follower(leader.address.ToString());
  TempDir dir;
  auto store = std::move(ChunkStore::Open({dir.path()})).value();
  ASSERT_TRUE(store->Write(1, 1, 0, Bytes(std::string("one")), false).ok());
  ASSERT_TRUE(store->Write(2, 4, 0, Bytes(std::string("two")), false).ok());

  MasterLinkOptions options;
  options.masters = {follower.address};  // only the follower is configured
  options.advertised = HostPort{"127.0.0.1", 9999};
  options.rack = "r1";
  options.heartbeat_interval = std::chrono::milliseconds(20);
  rpc::ChunkServerStats fixed_stats;
  fixed_stats.chunk_count = 42;
  MasterLink link(options, store.get(), [&] { return fixed_stats; });
  link.Start();

  FakeMaster& m = *leader.master;
  ASSERT_TRUE(WaitUntil([&] {
    std::lock_guard lock(m.mu);
    return m.registrations == 1 && m.heartbeats >= 1;
  }));
  {
    std::lock_guard lock(m.mu);
    EXPECT_EQ(m.last_info.server_id, store->server_id());
    EXPECT_EQ(m.last_info.port, 9999);
    EXPECT_EQ(m.last_info.rack, "r1");
    ASSERT_EQ(m.last_full_report.size(), 2u);
    EXPECT_EQ(m.last_full_report[1].version, 4);
    EXPECT_EQ(m.last_stats.chunk_count, 42);
    m.delete_next = {1};
  }
  EXPECT_TRUE(link.registered());

  // The deletion happens and the next heartbeat reports it as removed.
  ASSERT_TRUE(WaitUntil([&] {
    std::lock_guard lock(m.mu);
    return std::count(m.removed_seen.begin(), m.removed_seen.end(), 1) == 1;
  }));
  EXPECT_EQ(store->Read(1, 1, 0, 3).status().code(), StatusCode::kNotFound);

  // A new write shows up in an incremental report.
  ASSERT_TRUE(store->Write(3, 1, 0, Bytes(std::string("three")), false).ok());
  ASSERT_TRUE(WaitUntil([&] {
    std::lock_guard lock(m.mu);
    return std::count(m.added_seen.begin(), m.added_seen.end(), 3) == 1;
  }));

  {
    std::lock_guard lock(m.mu);
    m.reregister_next = true;
  }
  ASSERT_TRUE(WaitUntil([&] {
    std::lock_guard lock(m.mu);
    return m.registrations == 2;
  }));
  {
    std::lock_guard lock(m.mu);
    EXPECT_EQ(m.last_full_report.size(), 2u);  // chunks 2 and 3
  }
  link.Stop();
}

TEST(MasterLinkTest, RegistersAgainAfterMasterWasUnreachable) {
  TempDir dir;
  auto store = std::move(ChunkStore::Open({dir.path()})).value();
  auto first = std::make_unique<FakeMasterServer>();
  HostPort address = first->address;
  MasterLinkOptions options;
  options.masters = {address};
  options.advertised = HostPort{"127.0.0.1", 9998};
  options.heartbeat_interval = std::chrono::milliseconds(20);
  MasterLink link(options, store.get(), [] { return rpc::ChunkServerStats(); });
  link.Start();
  ASSERT_TRUE(WaitUntil([&] {
    std::lock_guard lock(first->master->mu);
    return first->master->heartbeats >= 2;
  }));
  first.reset();  // the master goes away
  ASSERT_TRUE(WaitUntil([&] { return !link.registered(); }));

  // A master restarted on the same address gets a full registration.
  auto master = std::make_shared<FakeMaster>();
  RpcServer restarted(std::make_shared<rpc::MasterServiceProcessorFactory>(
                          std::make_shared<rpc::MasterServiceIfSingletonFactory>(master)),
                      address);
  ASSERT_TRUE(restarted.Start().ok());
  ASSERT_TRUE(WaitUntil([&] {
    std::lock_guard lock(master->mu);
    return master->registrations == 1;
  }));
  EXPECT_TRUE(WaitUntil([&] { return link.registered(); }));
  link.Stop();
}

TEST(MasterLinkTest, StopDoesNotWaitOutTheHeartbeatInterval) {
  FakeMasterServer master;
  TempDir dir;
  auto store = std::move(ChunkStore::Open({dir.path()})).value();
  MasterLinkOptions options;
  options.masters = {master.address};
  options.heartbeat_interval = std::chrono::milliseconds(60000);
  MasterLink link(options, store.get(), [] { return rpc::ChunkServerStats(); });
  link.Start();
  ASSERT_TRUE(WaitUntil([&] { return link.registered(); }));
  auto start = std::chrono::steady_clock::now();
  link.Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

// Registered through a hint from masters[0] with the leader masters[1]: when the leader falls
// silent, the next master tried must not be the leader again (found by the netns partition
// test, where each retry of the partitioned leader cost a 2 s connect timeout).
TEST(MasterLinkTest, AfterTheLeaderFailsTheNextMasterTriedIsAnother) {
  const std::vector<HostPort> masters = {
      {"10.0.0.1", 9400}, {"10.0.0.2", 9400}, {"10.0.0.3", 9400}};
  EXPECT_EQ(NextMasterAfterFailure(masters, 0, masters[1]), 2u);
  EXPECT_EQ(NextMasterAfterFailure(masters, 2, masters[0]), 1u);
  // The failed master was the successor's successor: nothing to skip.
  EXPECT_EQ(NextMasterAfterFailure(masters, 0, masters[2]), 1u);
  // A failed master not in the list (a hint to an unlisted address).
  EXPECT_EQ(NextMasterAfterFailure(masters, 1, HostPort{"10.0.0.9", 9400}), 2u);
  // A single master is tried again: there is nothing else.
  EXPECT_EQ(NextMasterAfterFailure({masters[0]}, 0, masters[0]), 0u);
}

}  // namespace
}  // namespace tessera
