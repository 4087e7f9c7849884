#include "master/chunk_server_registry.h"

#include <gtest/gtest.h>

#include <set>

#include "master_test_util.h"

namespace tessera::master::testing {
namespace {

rpc::ChunkServerInfo Info(int64_t id, int port, const std::string& rack = "") {
  rpc::ChunkServerInfo info;
  info.server_id = id;
  info.host = "127.0.0.1";
  info.port = port;
  info.rack = rack;
  return info;
}

rpc::ChunkServerStats Stats(int64_t total, int64_t free) {
  rpc::ChunkServerStats stats;
  stats.total_bytes = total;
  stats.free_bytes = free;
  return stats;
}

rpc::ChunkReport Report(int64_t chunk_id, int64_t version) {
  rpc::ChunkReport report;
  report.chunk_id = chunk_id;
  report.version = version;
  return report;
}

class RegistryTest : public ::testing::Test {
 protected:
  ManualClock clock_;
  ChunkServerRegistry registry_{&clock_, 5000};
};

TEST_F(RegistryTest, UnknownServerMustReregister) {
  rpc::HeartbeatReply reply = registry_.Heartbeat(7, Stats(1, 1), {}, {});
  EXPECT_TRUE(reply.reregister);
  registry_.Register(Info(7, 9001), {});
  EXPECT_FALSE(registry_.Heartbeat(7, Stats(1, 1), {}, {}).reregister);
}

TEST_F(RegistryTest, ServersDieWithoutHeartbeatAndComeBack) {
  registry_.Register(Info(1, 9001), {});
  registry_.Register(Info(2, 9002), {});
  clock_.AdvanceMs(4000);
  registry_.Heartbeat(2, Stats(100, 50), {}, {});
  clock_.AdvanceMs(2000);
  registry_.CheckLiveness();
  std::vector<PlacementCandidate> live = registry_.LivePlacementCandidates();
  ASSERT_EQ(live.size(), 1u);
  EXPECT_EQ(live[0].server_id, 2);
  EXPECT_EQ(registry_.LiveSpace().total_bytes, 100);
  std::vector<rpc::ChunkServerStatus> statuses = registry_.Statuses();
  ASSERT_EQ(statuses.size(), 2u);
  EXPECT_FALSE(statuses[0].alive);
  EXPECT_EQ(statuses[0].last_heartbeat_age_ms, 6000);
  EXPECT_TRUE(statuses[1].alive);
  registry_.Heartbeat(1, Stats(10, 5), {}, {});
  EXPECT_EQ(registry_.LivePlacementCandidates().size(), 2u);
}

TEST_F(RegistryTest, ReplicasComeFromReportsAndPlacementAndOnlyLiveCurrentOnesCount) {
  registry_.Register(Info(1, 9001), {Report(100, 1)});
  registry_.Register(Info(2, 9002), {Report(100, 2)});
  // A newer copy also serves a read of the older version (stamped, not yet logged); an older
  // one is stale for the newer.
  EXPECT_EQ(registry_.LiveReplicas(100, 1).size(), 2u);
  EXPECT_EQ(registry_.LiveReplicas(100, 2).size(), 1u);
  EXPECT_EQ(registry_.LiveReplicas(100, 2)[0].server_id, 2);
  EXPECT_TRUE(registry_.Holds(2, 100, 2));
  EXPECT_FALSE(registry_.Holds(1, 100, 2));
  EXPECT_FALSE(registry_.Holds(2, 100, 1)) << "a write lease is for one exact version";
  registry_.RecordReplicas(200, 1, {2, 1, 99});
  EXPECT_EQ(registry_.LiveReplicas(200, 1).size(), 2u);
  std::vector<rpc::ChunkServerAddress> chain = registry_.LiveAddresses({2, 1, 99});
  ASSERT_EQ(chain.size(), 2u);
  EXPECT_EQ(chain[0].server_id, 2);
  EXPECT_EQ(chain[1].port, 9001);
  registry_.Heartbeat(1, Stats(1, 1), {Report(300, 1)}, {200});
  EXPECT_EQ(registry_.LiveReplicas(300, 1).size(), 1u);
  EXPECT_EQ(registry_.LiveReplicas(200, 1).size(), 1u);
  clock_.AdvanceMs(6000);
  registry_.Heartbeat(2, Stats(1, 1), {}, {});
  EXPECT_TRUE(registry_.LiveReplicas(300, 1).empty());  // server 1 is dead
}

TEST_F(RegistryTest, DeletionsAreHandedOutOnceToEveryHolder) {
  registry_.Register(Info(1, 9001), {Report(100, 1), Report(101, 1)});
  registry_.Register(Info(2, 9002), {Report(100, 1)});
  registry_.ScheduleDeletion({100, 555});
  EXPECT_TRUE(registry_.LiveReplicas(100, 1).empty());
  EXPECT_EQ(registry_.Heartbeat(1, Stats(1, 1), {}, {}).delete_chunks, (std::vector<int64_t>{100}));
  EXPECT_EQ(registry_.Heartbeat(2, Stats(1, 1), {}, {}).delete_chunks, (std::vector<int64_t>{100}));
  EXPECT_TRUE(registry_.Heartbeat(1, Stats(1, 1), {}, {}).delete_chunks.empty());
  EXPECT_EQ(registry_.LiveReplicas(101, 1).size(), 1u);
}

TEST_F(RegistryTest, ReregistrationReplacesTheChunkList) {
  registry_.Register(Info(1, 9001), {Report(100, 1)});
  registry_.Register(Info(1, 9005), {Report(101, 1)});
  EXPECT_TRUE(registry_.LiveReplicas(100, 1).empty());
  std::vector<rpc::ChunkServerAddress> replicas = registry_.LiveReplicas(101, 1);
  ASSERT_EQ(replicas.size(), 1u);
  EXPECT_EQ(replicas[0].port, 9005);
}

TEST(RegistryDrainingTest, DrainingServersTakeNothingNewAndAreReadLast) {
  ManualClock clock;
  std::set<int64_t> durable = {1};
  ChunkServerRegistry registry(&clock, 5000,
                               [&durable]() -> Result<std::set<int64_t>> { return durable; });
  registry.RefreshDraining();
  registry.Register(Info(1, 9001), {Report(40, 2)});
  registry.Register(Info(2, 9002), {Report(40, 2)});
  EXPECT_TRUE(registry.Knows(1));
  EXPECT_FALSE(registry.Knows(3));
  std::vector<rpc::ChunkServerAddress> readable = registry.LiveReplicas(40, 2);
  ASSERT_EQ(readable.size(), 2u);
  EXPECT_EQ(readable[0].server_id, 2);
  EXPECT_EQ(readable[1].server_id, 1) << "the draining copy still serves reads, last";
  std::vector<ReplicaState> copies = registry.Replicas(40);
  ASSERT_EQ(copies.size(), 2u);
  EXPECT_TRUE(copies[0].draining);
  EXPECT_FALSE(copies[1].draining);
  for (const PlacementCandidate& candidate : registry.LivePlacementCandidates()) {
    EXPECT_EQ(candidate.draining, candidate.server_id == 1);
  }
  registry.Heartbeat(1, Stats(100, 50), {}, {});
  registry.Heartbeat(2, Stats(10, 5), {}, {});
  EXPECT_EQ(registry.LiveSpace().total_bytes, 10) << "statfs must not count a draining server";
  EXPECT_EQ(registry.LiveSpace().free_bytes, 5);
  std::vector<rpc::ChunkServerStatus> statuses = registry.Statuses();
  ASSERT_EQ(statuses.size(), 2u);
  EXPECT_TRUE(statuses[0].draining);
  EXPECT_EQ(statuses[0].chunks_known, 1);
  registry.DeleteReplica(1, 40);
  EXPECT_EQ(registry.Statuses()[0].chunks_known, 0);
  durable.clear();  // cancelled
  registry.RefreshDraining();
  EXPECT_TRUE(registry.DrainingServers().empty());
  EXPECT_FALSE(registry.Statuses()[0].draining);
}

TEST(RegistryDrainingTest, AFailedLookupKeepsTheLastList) {
  ManualClock clock;
  bool fail = false;
  ChunkServerRegistry registry(&clock, 5000, [&fail]() -> Result<std::set<int64_t>> {
    if (fail) return Status::IoError("disk gone");
    return std::set<int64_t>{4};
  });
  registry.RefreshDraining();
  fail = true;
  registry.RefreshDraining();
  EXPECT_EQ(registry.DrainingServers(), (std::set<int64_t>{4}));
}

}  // namespace
}  // namespace tessera::master::testing
