// The replication planner: which copies to make and which replicas to drop.
#include "master/replication_planner.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

namespace tessera::master {
namespace {

constexpr int64_t kTiB = int64_t{1} << 40;

PlacementCandidate Server(int64_t id, const std::string& rack, double free_fraction = 0.5) {
  return {id, rack, kTiB, static_cast<int64_t>(free_fraction * kTiB), true};
}

ChunkOfFile Chunk(int64_t id, int64_t version = 1, int goal = 3) {
  ChunkOfFile chunk;
  chunk.inode = 100 + id;
  chunk.chunk.chunk_id = id;
  chunk.chunk.version = version;
  chunk.goal = goal;
  return chunk;
}

class PlannerTest : public ::testing::Test {
 protected:
  void Holds(int64_t chunk, int64_t server, int64_t version = 1, bool alive = true) {
    copies_[chunk].push_back({server, version, alive, RackOf(server), Draining(server)});
  }
  // Marks `server` as draining; call before Holds.
  void Drain(int64_t server) {
    for (auto& candidate : servers_) {
      if (candidate.server_id == server) candidate.draining = true;
    }
  }
  bool Draining(int64_t server) const {
    for (const auto& candidate : servers_) {
      if (candidate.server_id == server) return candidate.draining;
    }
    return false;
  }
  std::string RackOf(int64_t server) const {
    for (const auto& candidate : servers_) {
      if (candidate.server_id == server) return candidate.rack;
    }
    return "dead";
  }
  ReplicationPlan Plan(const std::vector<ChunkOfFile>& chunks, std::map<int64_t, int> busy = {},
                       std::vector<int64_t> running = {}, TargetVeto veto = {},
                       int max_per_server = 2) {
    return PlanReplication(
        chunks, [this](int64_t id) { return copies_[id]; }, servers_, std::move(busy), running,
        std::move(veto), ReplicationLimits{max_per_server});
  }

  std::vector<PlacementCandidate> servers_ = {Server(1, "a"), Server(2, "b"), Server(3, "c"),
                                              Server(4, "a"), Server(5, "d", 0.2)};
  std::map<int64_t, std::vector<ReplicaState>> copies_;
};

TEST_F(PlannerTest, ChunkBelowGoalIsCopiedToANewRackFromALiveCopy) {
  Holds(7, 1);
  Holds(7, 2);
  Holds(7, 3, 1, /*alive=*/false);  // a dead server's copy does not count
  ReplicationPlan plan = Plan({Chunk(7)});
  ASSERT_EQ(plan.copies.size(), 1u);
  EXPECT_EQ(plan.chunks_under_goal, 1);
  const CopyAction& copy = plan.copies[0];
  EXPECT_EQ(copy.live_copies, 2);
  // Not 3 (holds a copy, even a dead one) nor 4 (rack a has one): 5 is on a new rack.
  EXPECT_EQ(copy.target, 5);
  EXPECT_TRUE(copy.sources == std::vector<int64_t>({1, 2}) ||
              copy.sources == std::vector<int64_t>({2, 1}));
}

TEST_F(PlannerTest, FewestCopiesFirstWithinTheLimitPerServer) {
  Holds(1, 1);
  Holds(1, 2);  // two copies
  Holds(2, 1);  // one copy: closer to loss
  ReplicationPlan plan = Plan({Chunk(1), Chunk(2)}, {}, {}, {}, /*max_per_server=*/1);
  // Chunk 2 goes first; its copy (server 1 -> server 2, the freest new rack) leaves both of
  // chunk 1's sources busy, so chunk 1 waits for the next round.
  ASSERT_EQ(plan.copies.size(), 1u);
  EXPECT_EQ(plan.copies[0].chunk.chunk.chunk_id, 2);
  EXPECT_EQ(plan.copies[0].target, 2);
  EXPECT_EQ(plan.chunks_under_goal, 2);
  // With room for two copies per server both are planned, on different targets.
  ReplicationPlan roomier = Plan({Chunk(1), Chunk(2)});
  ASSERT_EQ(roomier.copies.size(), 2u);
  EXPECT_EQ(roomier.copies[0].chunk.chunk.chunk_id, 2);
}

TEST_F(PlannerTest, BusyServersRunningCopiesAndVetoedTargetsAreRespected) {
  Holds(1, 1);
  Holds(1, 2);
  EXPECT_TRUE(Plan({Chunk(1)}, {}, /*running=*/{1}).copies.empty());
  EXPECT_TRUE(Plan({Chunk(1)}, {{1, 2}, {2, 2}}).copies.empty());  // every source busy
  ReplicationPlan vetoed = Plan({Chunk(1)}, {}, {}, [](int64_t server, int64_t) {
    return server == 5 || server == 3;
  });
  ASSERT_EQ(vetoed.copies.size(), 1u);
  EXPECT_EQ(vetoed.copies[0].target, 4);
}

TEST_F(PlannerTest, StaleCopiesAreDroppedAndDoNotCount) {
  Holds(9, 1, 2);
  Holds(9, 2, 2);
  Holds(9, 3, 2);
  Holds(9, 4, 1);  // missed a version
  ReplicationPlan plan = Plan({Chunk(9, 2)});
  EXPECT_TRUE(plan.copies.empty());
  ASSERT_EQ(plan.drops.size(), 1u);
  EXPECT_EQ(plan.drops[0].server_id, 4);
  EXPECT_NE(plan.drops[0].why.find("stale"), std::string::npos);
}

TEST_F(PlannerTest, SurplusCopiesAreDroppedFullestServerFirst) {
  for (int64_t server : {1, 2, 3, 5}) Holds(4, server);
  ReplicationPlan plan = Plan({Chunk(4)});
  EXPECT_EQ(plan.chunks_over_goal, 1);
  ASSERT_EQ(plan.drops.size(), 1u);
  EXPECT_EQ(plan.drops[0].server_id, 5);  // the least free space
  EXPECT_TRUE(plan.copies.empty());
}

TEST_F(PlannerTest, AChunkWithoutLiveCopiesIsMissingNotCopied) {
  Holds(3, 1, 1, /*alive=*/false);
  ReplicationPlan plan = Plan({Chunk(3), Chunk(8, 1, /*goal=*/0)});
  EXPECT_EQ(plan.chunks_missing, 1);
  EXPECT_TRUE(plan.copies.empty());
  EXPECT_TRUE(plan.drops.empty());
}

TEST_F(PlannerTest, NoCopyWhenEveryOtherServerIsFullOrHoldsIt) {
  servers_ = {Server(1, "a"), Server(2, "b"), Server(3, "c", 0.0)};
  Holds(6, 1);
  Holds(6, 2);
  ReplicationPlan plan = Plan({Chunk(6)});
  EXPECT_TRUE(plan.copies.empty());
  EXPECT_EQ(plan.chunks_under_goal, 1);
}

// ---- draining (`tessera decommission`) ----

TEST_F(PlannerTest, ADrainingCopyCountsNotTowardTheGoalButIsASource) {
  Drain(3);
  for (int64_t server : {1, 2, 3}) Holds(7, server);
  ReplicationPlan plan = Plan({Chunk(7)});
  EXPECT_EQ(plan.chunks_draining, 1);
  EXPECT_EQ(plan.chunks_under_goal, 0) << "three live copies: the data is not at risk";
  EXPECT_TRUE(plan.drops.empty()) << "nothing is dropped before the new copy exists";
  ASSERT_EQ(plan.copies.size(), 1u);
  const CopyAction& copy = plan.copies[0];
  // Racks a and b hold staying copies; rack c only the draining one, whose server takes
  // nothing: 5 (rack d) is the new rack.
  EXPECT_EQ(copy.target, 5);
  EXPECT_NE(std::find(copy.sources.begin(), copy.sources.end(), 3), copy.sources.end())
      << "the draining copy is a valid source";
}

TEST_F(PlannerTest, ADrainingServerNeverReceivesACopy) {
  Drain(3);
  for (int64_t server : {1, 2, 4}) Holds(2, server);
  ReplicationPlan plan = Plan({Chunk(2, 1, /*goal=*/4)});
  ASSERT_EQ(plan.copies.size(), 1u);
  EXPECT_EQ(plan.copies[0].target, 5) << "3 has the most room on a new rack, but drains";
  Holds(2, 5);
  ReplicationPlan full = Plan({Chunk(2, 1, /*goal=*/5)});
  EXPECT_TRUE(full.copies.empty()) << "only the draining server is left";
  EXPECT_EQ(full.chunks_under_goal, 1);
}

TEST_F(PlannerTest, TheDrainingCopyGoesOnceTheGoalIsMetElsewhere) {
  Drain(3);
  for (int64_t server : {1, 2, 3, 5}) Holds(4, server);
  ReplicationPlan plan = Plan({Chunk(4)});
  ASSERT_EQ(plan.drops.size(), 1u) << "no surplus among the copies that stay";
  EXPECT_EQ(plan.drops[0].server_id, 3);
  EXPECT_NE(plan.drops[0].why.find("draining"), std::string::npos);
  EXPECT_EQ(plan.chunks_over_goal, 0);
  EXPECT_TRUE(plan.copies.empty());
  // With a surplus as well, the draining copy goes first and then the fullest staying one.
  Holds(4, 4);
  ReplicationPlan surplus = Plan({Chunk(4)});
  ASSERT_EQ(surplus.drops.size(), 2u);
  EXPECT_EQ(surplus.drops[0].server_id, 3);
  EXPECT_EQ(surplus.drops[1].server_id, 5);
}

TEST_F(PlannerTest, TheLastGoodCopyIsNeverDropped) {
  Drain(3);
  Holds(5, 3);  // the only copy is on the draining server
  ReplicationPlan plan = Plan({Chunk(5, 1, /*goal=*/1)});
  EXPECT_TRUE(plan.drops.empty());
  EXPECT_EQ(plan.chunks_missing, 0) << "a draining copy is still a live copy";
  ASSERT_EQ(plan.copies.size(), 1u);
  EXPECT_EQ(plan.copies[0].sources, std::vector<int64_t>({3}));
  // Every copy on draining servers: copies are made, none is dropped.
  Drain(4);
  Holds(6, 3);
  Holds(6, 4);
  ReplicationPlan both = Plan({Chunk(6, 1, /*goal=*/2)});
  EXPECT_TRUE(both.drops.empty());
  EXPECT_EQ(both.copies.size(), 1u) << "one copy of a chunk at a time";
}

TEST_F(PlannerTest, DrainingRespectsBusySourcesAndRunningCopies) {
  Drain(3);
  Holds(8, 3);
  EXPECT_TRUE(Plan({Chunk(8, 1, /*goal=*/1)}, {{3, 2}}).copies.empty())
      << "the draining server is the only source and already runs its two copies";
  for (int64_t server : {1, 2, 4}) Holds(8, server);
  EXPECT_TRUE(Plan({Chunk(8)}, {}, /*running=*/{8}).drops.empty())
      << "no drop while the chunk is being copied";
}

TEST_F(PlannerTest, MovesOffDrainingServersWaitBehindChunksUnderGoal) {
  Drain(3);
  for (int64_t server : {1, 2, 3}) Holds(1, server);  // moving: three live copies
  Holds(2, 1);                                        // under goal: one copy
  ReplicationPlan plan = Plan({Chunk(1), Chunk(2)}, {}, {}, {}, /*max_per_server=*/1);
  ASSERT_FALSE(plan.copies.empty());
  EXPECT_EQ(plan.copies[0].chunk.chunk.chunk_id, 2);
}

}  // namespace
}  // namespace tessera::master
