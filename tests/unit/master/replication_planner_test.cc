// The replication planner: which copies to make and which replicas to drop.
#include "master/replication_planner.h"

#include <gtest/gtest.h>

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
    copies_[chunk].push_back({server, version, alive, RackOf(server)});
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

}  // namespace
}  // namespace tessera::master
