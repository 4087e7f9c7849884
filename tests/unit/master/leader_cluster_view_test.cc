#include "master/leader_cluster_view.h"

#include <gtest/gtest.h>

#include <vector>

#include "tests/unit/master/master_test_util.h"

namespace tessera::master {
namespace {

rpc::ClusterStatus ClusterWithServers(int count) {
  rpc::ClusterStatus cluster;
  for (int i = 1; i <= count; ++i) {
    rpc::ChunkServerStatus server;
    server.info.server_id = i;
    server.alive = true;
    cluster.chunk_servers.push_back(server);
  }
  return cluster;
}

struct FakeLeader {
  std::vector<HostPort> asked;
  bool up = true;
  int servers = 3;

  LeaderClusterView::Fetch Fetch() {
    return [this](const HostPort& leader) -> Result<rpc::ClusterStatus> {
      asked.push_back(leader);
      if (!up) return Status::Unavailable("cannot connect to " + leader.ToString());
      return ClusterWithServers(servers);
    };
  }
};

TEST(LeaderClusterViewTest, AsksTheLeaderAndKeepsTheAnswerForAMoment) {
  FakeLeader leader;
  testing::ManualClock clock;
  LeaderClusterView view(leader.Fetch(), &clock, /*max_age_ms=*/1000);

  LeaderReport first = view.Get(1, "127.0.0.1:9400");
  ASSERT_TRUE(first.reachable) << first.error;
  EXPECT_EQ(first.leader_id, 1);
  EXPECT_EQ(first.leader_address, "127.0.0.1:9400");
  EXPECT_EQ(first.cluster.chunk_servers.size(), 3u);
  EXPECT_EQ(first.age_ms, 0);
  ASSERT_EQ(leader.asked.size(), 1u);
  EXPECT_EQ(leader.asked[0], (HostPort{"127.0.0.1", 9400}));

  clock.AdvanceMs(400);
  leader.servers = 4;
  LeaderReport kept = view.Get(1, "127.0.0.1:9400");
  EXPECT_EQ(leader.asked.size(), 1u) << "a young report is served without asking";
  EXPECT_EQ(kept.age_ms, 400);
  EXPECT_EQ(kept.cluster.chunk_servers.size(), 3u);

  clock.AdvanceMs(700);
  LeaderReport fresh = view.Get(1, "127.0.0.1:9400");
  EXPECT_EQ(leader.asked.size(), 2u);
  EXPECT_EQ(fresh.age_ms, 0);
  EXPECT_EQ(fresh.cluster.chunk_servers.size(), 4u);

  const LeaderViewCounters counters = view.counters();
  EXPECT_EQ(counters.fetched, 2u);
  EXPECT_EQ(counters.cached, 1u);
  EXPECT_EQ(counters.failed, 0u);
}

TEST(LeaderClusterViewTest, ANewLeaderIsAskedAtOnce) {
  FakeLeader leader;
  testing::ManualClock clock;
  LeaderClusterView view(leader.Fetch(), &clock);
  ASSERT_TRUE(view.Get(1, "127.0.0.1:9400").reachable);
  ASSERT_TRUE(view.Get(2, "127.0.0.1:9401").reachable);
  ASSERT_EQ(leader.asked.size(), 2u);
  EXPECT_EQ(leader.asked[1].port, 9401);
}

TEST(LeaderClusterViewTest, AnUnreachableLeaderIsReportedNotShownAsEmpty) {
  FakeLeader leader;
  leader.up = false;
  testing::ManualClock clock;
  LeaderClusterView view(leader.Fetch(), &clock);
  LeaderReport report = view.Get(3, "127.0.0.1:9402");
  EXPECT_FALSE(report.reachable);
  EXPECT_NE(report.error.find("cannot connect to 127.0.0.1:9402"), std::string::npos)
      << report.error;
  EXPECT_TRUE(report.cluster.chunk_servers.empty());
  EXPECT_EQ(view.counters().failed, 1u);

  // It comes back: asked again once the failure is old.
  leader.up = true;
  clock.AdvanceMs(1500);
  EXPECT_TRUE(view.Get(3, "127.0.0.1:9402").reachable);
}

TEST(LeaderClusterViewTest, ABadLeaderAddressIsAnErrorNotACall) {
  FakeLeader leader;
  testing::ManualClock clock;
  LeaderClusterView view(leader.Fetch(), &clock);
  LeaderReport report = view.Get(1, "no-port");
  EXPECT_FALSE(report.reachable);
  EXPECT_TRUE(leader.asked.empty());
}

}  // namespace
}  // namespace tessera::master
