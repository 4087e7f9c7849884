// The balance planner: which replicas move so that chunk servers fill evenly.
#include "master/balance_planner.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

namespace tessera::master {
namespace {

constexpr int64_t kMiB = int64_t{1} << 20;
constexpr int64_t kGiB = int64_t{1} << 30;
constexpr int64_t kChunkBytes = 8 * kMiB;

class BalancePlannerTest : public ::testing::Test {
 protected:
  void AddServer(int64_t id, const std::string& rack, int64_t other_used = 0) {
    servers_[id] = BalanceServer{id, rack, kGiB, other_used, true, false};
  }
  // A chunk of `goal` with a current copy on each of `holders`.
  int64_t AddChunk(const std::vector<int64_t>& holders, int goal = 2) {
    const int64_t id = next_chunk_++;
    BalanceChunk chunk;
    chunk.chunk.inode = 1000 + id;
    chunk.chunk.chunk.chunk_id = id;
    chunk.chunk.chunk.version = 5;
    chunk.chunk.goal = goal;
    chunk.bytes = kChunkBytes;
    chunks_[id] = chunk;
    for (int64_t server : holders) AddCopy(id, server, 5);
    return id;
  }
  void AddCopy(int64_t chunk, int64_t server, int64_t version) {
    chunks_[chunk].replicas.push_back({server, version, true, servers_[server].rack, false});
    servers_[server].used_bytes += kChunkBytes;
  }
  std::vector<BalanceServer> Servers() const {
    std::vector<BalanceServer> servers;
    for (const auto& [id, server] : servers_) servers.push_back(server);
    return servers;
  }
  std::vector<BalanceChunk> Chunks() const {
    std::vector<BalanceChunk> chunks;
    for (const auto& [id, chunk] : chunks_) chunks.push_back(chunk);
    return chunks;
  }
  // Plans and applies the moves to the model (as the balancer's rounds would), until the plan is
  // empty; checks every move against the rules that must hold whatever the plan.
  int BalanceFully(double threshold = 0.10) {
    int moves = 0;
    for (int round = 0; round < 100; ++round) {
      const BalancePlan plan = PlanBalance(Servers(), Chunks(), {threshold, 4});
      if (plan.moves.empty()) return moves;
      for (const BalanceMove& move : plan.moves) {
        Apply(move);
        ++moves;
      }
    }
    ADD_FAILURE() << "no end after 100 rounds";
    return moves;
  }
  void Apply(const BalanceMove& move) {
    BalanceChunk& chunk = chunks_[move.chunk.chunk.chunk_id];
    std::set<int64_t> holders;
    int current = 0;
    bool on_source = false;
    for (const ReplicaState& copy : chunk.replicas) {
      holders.insert(copy.server_id);
      if (copy.alive && copy.version >= chunk.chunk.chunk.version && !copy.draining) ++current;
      on_source |= copy.server_id == move.source;
    }
    EXPECT_TRUE(on_source) << move.why;
    EXPECT_FALSE(holders.contains(move.target)) << "two copies on server " << move.target;
    EXPECT_GE(current, chunk.chunk.goal) << "chunk under goal moved: " << move.why;
    EXPECT_TRUE(servers_[move.target].alive);
    EXPECT_FALSE(servers_[move.target].draining);
    EXPECT_FALSE(servers_[move.source].draining);
    for (ReplicaState& copy : chunk.replicas) {
      if (copy.server_id == move.source) {
        copy.server_id = move.target;
        copy.rack = servers_[move.target].rack;
      }
    }
    servers_[move.source].used_bytes -= move.bytes;
    servers_[move.target].used_bytes += move.bytes;
  }
  int CopiesOn(int64_t server) const {
    int copies = 0;
    for (const auto& [id, chunk] : chunks_) {
      for (const ReplicaState& copy : chunk.replicas) copies += copy.server_id == server;
    }
    return copies;
  }

  std::map<int64_t, BalanceServer> servers_;
  std::map<int64_t, BalanceChunk> chunks_;
  int64_t next_chunk_ = 1;
};

TEST_F(BalancePlannerTest, NewEmptyServersGetTheirShareUntilWithinThreshold) {
  for (int64_t id : {1, 2, 3, 4, 5}) AddServer(id, "rack-" + std::to_string(id));
  for (int i = 0; i < 60; ++i) AddChunk({1 + i % 3, 1 + (i + 1) % 3});
  const BalanceAssessment before = AssessBalance(Servers(), 0.10);
  EXPECT_FALSE(before.balanced);
  EXPECT_GT(before.bytes_remaining, 0);
  const int moves = BalanceFully();
  const BalanceAssessment after = AssessBalance(Servers(), 0.10);
  EXPECT_TRUE(after.balanced) << "farthest server " << after.max_deviation * 100 << " points off";
  EXPECT_EQ(after.bytes_remaining, 0);
  EXPECT_NEAR(after.mean_use, before.mean_use, 1e-12);  // moves keep the total
  EXPECT_GT(CopiesOn(4), 0);
  EXPECT_GT(CopiesOn(5), 0);
  EXPECT_GT(moves, 0);
  for (const auto& [id, chunk] : chunks_) EXPECT_EQ(chunk.replicas.size(), 2u);
}

TEST_F(BalancePlannerTest, TighterThresholdMovesMoreAndIsReached) {
  for (int64_t id : {1, 2, 3, 4}) AddServer(id, "r");
  for (int i = 0; i < 40; ++i) AddChunk({1 + i % 2, 2 + i % 2});
  const int moves = BalanceFully(0.02);
  EXPECT_TRUE(AssessBalance(Servers(), 0.02).balanced);
  EXPECT_GT(moves, 0);
}

TEST_F(BalancePlannerTest, NothingToDoWhenBalanced) {
  for (int64_t id : {1, 2, 3}) AddServer(id, "r");
  for (int i = 0; i < 30; ++i) AddChunk({1 + i % 3, 1 + (i + 1) % 3});
  const BalancePlan plan = PlanBalance(Servers(), Chunks(), {0.10, 16});
  EXPECT_TRUE(plan.before.balanced);
  EXPECT_TRUE(plan.moves.empty());
}

TEST_F(BalancePlannerTest, MaxMovesBoundsOnePlan) {
  for (int64_t id : {1, 2, 3}) AddServer(id, "r");
  for (int i = 0; i < 40; ++i) AddChunk({1, 2});
  const BalancePlan plan = PlanBalance(Servers(), Chunks(), {0.01, 3});
  EXPECT_EQ(plan.moves.size(), 3u);
}

TEST_F(BalancePlannerTest, ChunksUnderGoalNeverMove) {
  for (int64_t id : {1, 2, 3}) AddServer(id, "r");
  // Goal 2, but the copy on server 2 is stale: one current copy only.
  for (int i = 0; i < 30; ++i) {
    const int64_t chunk = AddChunk({1});
    AddCopy(chunk, 2, 4);
  }
  const BalancePlan plan = PlanBalance(Servers(), Chunks(), {0.10, 16});
  EXPECT_FALSE(plan.before.balanced);
  EXPECT_TRUE(plan.moves.empty());
}

TEST_F(BalancePlannerTest, NeverTwoCopiesOnOneServer) {
  AddServer(1, "r", 600 * kMiB);  // full of other data
  AddServer(2, "r");
  // Every chunk is on both servers already: no target may take any of them.
  for (int i = 0; i < 10; ++i) AddChunk({1, 2});
  const BalancePlan plan = PlanBalance(Servers(), Chunks(), {0.10, 16});
  EXPECT_FALSE(plan.before.balanced);
  EXPECT_TRUE(plan.moves.empty());
}

TEST_F(BalancePlannerTest, NeverLowersTheRacksOfAChunk) {
  AddServer(1, "a");
  AddServer(2, "b");
  AddServer(3, "b");  // empty, but in the rack of the chunks' other copies
  for (int i = 0; i < 30; ++i) AddChunk({1, 2});
  const BalancePlan plan = PlanBalance(Servers(), Chunks(), {0.10, 16});
  EXPECT_FALSE(plan.before.balanced);
  EXPECT_FALSE(plan.moves.empty()) << "server 2 may give chunks to server 3 (same rack)";
  for (const BalanceMove& move : plan.moves) {
    EXPECT_NE(move.source, 1) << "moving off rack a leaves the chunk in one rack: " << move.why;
  }
}

TEST_F(BalancePlannerTest, PrefersAMoveThatReachesANewRack) {
  AddServer(1, "a");
  AddServer(2, "a");
  AddServer(3, "b");
  AddServer(4, "c");                              // empty
  for (int i = 0; i < 20; ++i) AddChunk({1, 3});  // already in two racks
  const int64_t one_rack = AddChunk({1, 2});      // both copies in rack a
  const BalancePlan plan = PlanBalance(Servers(), Chunks(), {0.05, 1});
  ASSERT_EQ(plan.moves.size(), 1u);
  EXPECT_EQ(plan.moves[0].chunk.chunk.chunk_id, one_rack) << plan.moves[0].why;
  EXPECT_EQ(plan.moves[0].target, 4);
}

TEST_F(BalancePlannerTest, DrainingAndDeadServersAreNeverTargetsNorCounted) {
  AddServer(1, "r");
  AddServer(2, "r");
  AddServer(3, "r");
  AddServer(4, "r");
  AddServer(5, "r");
  servers_[4].draining = true;
  servers_[5].alive = false;
  for (int i = 0; i < 40; ++i) AddChunk({1, 2});
  const BalancePlan before = PlanBalance(Servers(), Chunks(), {0.10, 16});
  EXPECT_EQ(before.before.eligible_servers, 3);
  ASSERT_FALSE(before.moves.empty());
  BalanceFully();
  EXPECT_EQ(CopiesOn(4), 0);
  EXPECT_EQ(CopiesOn(5), 0);
  EXPECT_GT(CopiesOn(3), 0);
  EXPECT_TRUE(AssessBalance(Servers(), 0.10).balanced);
}

TEST_F(BalancePlannerTest, NoMoveFillsATargetPastItsLastChunkOfRoom) {
  AddServer(1, "r");
  AddServer(2, "r", kGiB - 70 * kMiB);  // full of other data, looks like room for one chunk
  servers_[1].used_bytes = kGiB - 8 * kMiB;
  AddServer(3, "r", kGiB - 60 * kMiB);
  for (int i = 0; i < 5; ++i) AddChunk({1, 3}, 1);
  const BalancePlan plan = PlanBalance(Servers(), Chunks(), {0.01, 16});
  EXPECT_TRUE(plan.moves.empty());
}

}  // namespace
}  // namespace tessera::master
