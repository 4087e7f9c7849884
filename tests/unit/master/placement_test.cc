#include "master/placement.h"

#include <gtest/gtest.h>

#include <set>

namespace tessera::master {
namespace {

constexpr int64_t kGiB = int64_t{1} << 30;

PlacementCandidate Server(int64_t id, const std::string& rack, int64_t free_gib,
                          int64_t total_gib = 100) {
  return {id, rack, total_gib * kGiB, free_gib * kGiB};
}

TEST(PlacementTest, PicksDistinctServersWithMostFreeFractionFirst) {
  std::vector<PlacementCandidate> live = {Server(1, "", 10), Server(2, "", 90), Server(3, "", 50),
                                          Server(4, "", 70)};
  Result<std::vector<int64_t>> chosen = ChooseChunkServers(live, 3);
  ASSERT_TRUE(chosen.ok());
  EXPECT_EQ(*chosen, (std::vector<int64_t>{2, 4, 3}));
}

// Servers sharing one disk (or equally full ones) must not all send new chunks to the lowest ids.
TEST(PlacementTest, EquallyFullServersAreChosenByFewestChunks) {
  std::vector<PlacementCandidate> live;
  for (int64_t id = 1; id <= 5; ++id) {
    PlacementCandidate server = Server(id, "", 60);
    server.chunk_count = 10 - id;  // server 5 holds the fewest
    live.push_back(server);
  }
  live[0].free_bytes += kGiB / 2;  // within the same percent: still "equally full"
  Result<std::vector<int64_t>> chosen = ChooseChunkServers(live, 3);
  ASSERT_TRUE(chosen.ok());
  EXPECT_EQ(*chosen, (std::vector<int64_t>{5, 4, 3}));
  live[0].free_bytes += 2 * kGiB;  // two percent emptier: wins despite its chunks
  chosen = ChooseChunkServers(live, 1);
  ASSERT_TRUE(chosen.ok());
  EXPECT_EQ(*chosen, (std::vector<int64_t>{1}));
}

TEST(PlacementTest, UsesFractionNotAbsoluteSpace) {
  // 100 of 1000 GiB free (10%) loses to 50 of 100 GiB (50%).
  std::vector<PlacementCandidate> live = {Server(1, "", 100, 1000), Server(2, "", 50, 100)};
  Result<std::vector<int64_t>> chosen = ChooseChunkServers(live, 1);
  ASSERT_TRUE(chosen.ok());
  EXPECT_EQ(*chosen, (std::vector<int64_t>{2}));
}

TEST(PlacementTest, SpreadsOverRacks) {
  std::vector<PlacementCandidate> live = {Server(1, "r1", 90), Server(2, "r1", 80),
                                          Server(3, "r1", 70), Server(4, "r2", 10),
                                          Server(5, "r3", 5)};
  Result<std::vector<int64_t>> chosen = ChooseChunkServers(live, 3);
  ASSERT_TRUE(chosen.ok());
  EXPECT_EQ(*chosen, (std::vector<int64_t>{1, 4, 5}));
  // More replicas than racks: after one per rack, the best remaining.
  chosen = ChooseChunkServers(live, 4);
  ASSERT_TRUE(chosen.ok());
  EXPECT_EQ(*chosen, (std::vector<int64_t>{1, 4, 5, 2}));
}

TEST(PlacementTest, FewerServersThanGoalPlacesOnAll) {
  std::vector<PlacementCandidate> live = {Server(1, "", 10), Server(2, "", 20)};
  Result<std::vector<int64_t>> chosen = ChooseChunkServers(live, 3);
  ASSERT_TRUE(chosen.ok());
  EXPECT_EQ(std::set<int64_t>(chosen->begin(), chosen->end()), (std::set<int64_t>{1, 2}));
}

TEST(PlacementTest, NeverTwoReplicasOnOneServer) {
  std::vector<PlacementCandidate> live = {Server(1, "a", 10), Server(1, "b", 10)};
  Result<std::vector<int64_t>> chosen = ChooseChunkServers(live, 2);
  ASSERT_TRUE(chosen.ok());
  EXPECT_EQ(*chosen, (std::vector<int64_t>{1}));
}

TEST(PlacementTest, FullServersAreSkippedAndNoRoomIsNoSpace) {
  std::vector<PlacementCandidate> live = {Server(1, "", 0), Server(2, "", 10)};
  live[0].free_bytes = kMinFreeBytesForChunk - 1;
  Result<std::vector<int64_t>> chosen = ChooseChunkServers(live, 2);
  ASSERT_TRUE(chosen.ok());
  EXPECT_EQ(*chosen, (std::vector<int64_t>{2}));
  EXPECT_EQ(ChooseChunkServers({live[0]}, 1).status().code(), StatusCode::kNoSpace);
  EXPECT_EQ(ChooseChunkServers({}, 3).status().code(), StatusCode::kNoSpace);
  EXPECT_EQ(ChooseChunkServers(live, 0).status().code(), StatusCode::kInvalidArgument);
}

TEST(PlacementTest, DrainingServersAreSkippedLikeFullOnes) {
  std::vector<PlacementCandidate> live = {Server(1, "", 90), Server(2, "", 10), Server(3, "", 50)};
  live[0].draining = true;  // the emptiest, but being decommissioned
  Result<std::vector<int64_t>> chosen = ChooseChunkServers(live, 3);
  ASSERT_TRUE(chosen.ok());
  EXPECT_EQ(*chosen, (std::vector<int64_t>{3, 2}));
  EXPECT_FALSE(TakesNewReplicas(live[0]));
  EXPECT_TRUE(TakesNewReplicas(live[1]));
  EXPECT_EQ(ChooseChunkServers({live[0]}, 1).status().code(), StatusCode::kNoSpace);
}

TEST(PlacementTest, ServersWithUnknownSpaceRankLast) {
  PlacementCandidate fresh = Server(1, "", 0);
  fresh.stats_known = false;
  std::vector<PlacementCandidate> live = {fresh, Server(2, "", 1)};
  Result<std::vector<int64_t>> chosen = ChooseChunkServers(live, 2);
  ASSERT_TRUE(chosen.ok());
  EXPECT_EQ(*chosen, (std::vector<int64_t>{2, 1}));
}

}  // namespace
}  // namespace tessera::master
