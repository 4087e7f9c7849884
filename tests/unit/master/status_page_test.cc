#include "master/status_page.h"

#include <gtest/gtest.h>

namespace tessera::master {
namespace {

rpc::ChunkServerStatus Server(int64_t id, const std::string& rack, bool alive, int64_t total,
                              int64_t free_bytes) {
  rpc::ChunkServerStatus status;
  status.info.server_id = id;
  status.info.host = "10.0.0." + std::to_string(id);
  status.info.port = 9500;
  status.info.rack = rack;
  status.alive = alive;
  status.stats.total_bytes = total;
  status.stats.free_bytes = free_bytes;
  status.stats.chunk_count = 7;
  status.stats.data_dirs_ok = 1;
  return status;
}

MasterAdminView LeaderView() {
  MasterAdminView view;
  view.group.id = 1;
  view.group.role = raft::Role::kLeader;
  view.group.term = 4;
  view.group.leader_id = 1;
  rpc::MasterStatus self;
  self.id = 1;
  self.address = "10.0.0.1:9400";
  self.role = "leader";
  self.term = 4;
  self.voter = true;
  view.masters.push_back(self);
  view.chunk_servers.push_back(Server(11, "<script>alert(1)</script>", true, 1000, 250));
  view.chunk_servers.push_back(Server(12, "r2", false, 1000, 900));
  view.replication.chunks_under_goal = 3;
  view.replication.copies_queued = 2;
  return view;
}

TEST(StatusPageTest, ShowsMastersServersFillAndHealth) {
  const std::string page = RenderStatusPage(LeaderView(), "10.0.0.1:9400");
  EXPECT_TRUE(page.starts_with("<!DOCTYPE html>"));
  EXPECT_NE(page.find("http-equiv=\"refresh\" content=\"5\""), std::string::npos);
  EXPECT_NE(page.find(">leader</span>"), std::string::npos);
  EXPECT_NE(page.find("term 4"), std::string::npos);
  EXPECT_NE(page.find("width:75.0%"), std::string::npos) << "server 11 is 75 % full";
  EXPECT_NE(page.find(">dead</span>"), std::string::npos);
  EXPECT_NE(page.find("3 under goal"), std::string::npos);
  EXPECT_NE(page.find("2 queued"), std::string::npos);
  // Names that come from chunk servers are escaped, and the page loads nothing.
  EXPECT_EQ(page.find("<script>"), std::string::npos);
  EXPECT_NE(page.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_EQ(page.find("src="), std::string::npos);
  EXPECT_EQ(page.find("<link"), std::string::npos);
}

TEST(StatusPageTest, ShowsARunningBalanceWithRateAndTimeLeft) {
  MasterAdminView view = LeaderView();
  EXPECT_EQ(RenderStatusPage(view, "10.0.0.1:9400").find("Rebalance"), std::string::npos)
      << "no card without a balance status";
  rpc::BalanceStatus balance;
  balance.state = "running";
  balance.bytes_moved = 100 << 20;
  balance.bytes_remaining = 300 << 20;
  balance.elapsed_ms = 10'000;
  balance.mean_use_pct = 42.5;
  balance.max_deviation_pct = 27.25;
  view.balance = balance;
  const std::string page = RenderStatusPage(view, "10.0.0.1:9400");
  EXPECT_NE(page.find("Rebalance"), std::string::npos);
  EXPECT_NE(page.find(">running<"), std::string::npos);
  EXPECT_NE(page.find("100.0 MiB moved, 300.0 MiB left, 10.0 MiB/s, about 30 s to go"),
            std::string::npos)
      << page;
  EXPECT_NE(page.find("use 42.5% on average, farthest 27.2 points off"), std::string::npos);
}


TEST(StatusPageTest, FollowerNamesTheLeader) {
  MasterAdminView view = LeaderView();
  view.group.role = raft::Role::kFollower;
  view.group.id = 2;
  view.group.leader_address = "10.0.0.1:9400";
  const std::string page = RenderStatusPage(view, "10.0.0.2:9400");
  EXPECT_NE(page.find("The leader is master 1 at <b>10.0.0.1:9400</b>"), std::string::npos);
}

// A follower whose chunk servers came from the leader's clusterStatus.
MasterAdminView FollowerView(ChunkServerSource source) {
  MasterAdminView view = LeaderView();
  view.group.role = raft::Role::kFollower;
  view.group.id = 2;
  view.group.leader_address = "10.0.0.1:9400";
  view.chunk_server_source = source;
  LeaderReport report;
  report.leader_id = 1;
  report.leader_address = "10.0.0.1:9400";
  report.age_ms = 37;
  report.reachable = source == ChunkServerSource::kLeader;
  if (!report.reachable) {
    report.error = "UNAVAILABLE: cannot connect to 10.0.0.1:9400";
    view.chunk_servers.clear();
  }
  view.leader_report = report;
  return view;
}

TEST(StatusPageTest, FollowerShowsTheLeadersChunkServersAndSaysSo) {
  const std::string page =
      RenderStatusPage(FollowerView(ChunkServerSource::kLeader), "10.0.0.2:9400");
  EXPECT_NE(page.find("Chunk servers as reported by the leader m1 at 10.0.0.1:9400, 37 ms ago."),
            std::string::npos)
      << page;
  EXPECT_NE(page.find("1 / 2"), std::string::npos) << "the leader's servers are counted";
  EXPECT_NE(page.find("width:75.0%"), std::string::npos);
  // The follower's own chunk health counters are not the cluster's.
  EXPECT_EQ(page.find("3 under goal"), std::string::npos);
  EXPECT_NE(page.find("the leader scans chunks"), std::string::npos);
}

TEST(StatusPageTest, FollowerSaysWhenTheLeaderCannotBeReached) {
  const std::string page =
      RenderStatusPage(FollowerView(ChunkServerSource::kUnavailable), "10.0.0.2:9400");
  EXPECT_NE(page.find("Chunk servers unknown: the leader m1 at 10.0.0.1:9400 could not be "
                      "reached 37 ms ago (UNAVAILABLE: cannot connect to 10.0.0.1:9400)."),
            std::string::npos)
      << page;
  EXPECT_EQ(page.find("0 / 0"), std::string::npos) << "no zeros for an unknown cluster";
  EXPECT_NE(page.find(">unknown<"), std::string::npos);
}

TEST(StatusPageTest, FollowerLeavesTheBalanceProgressToTheLeader) {
  MasterAdminView view = FollowerView(ChunkServerSource::kLeader);
  rpc::BalanceStatus balance;  // a follower's own: nothing moved, no spread measured
  balance.state = "idle";
  view.balance = balance;
  const std::string page = RenderStatusPage(view, "10.0.0.2:9400");
  EXPECT_NE(page.find("the leader moves replicas"), std::string::npos) << page;
  EXPECT_EQ(page.find("use 0.0% on average"), std::string::npos) << page;
}

TEST(StatusPageTest, LeaderShowsNoSourceLine) {
  const std::string page = RenderStatusPage(LeaderView(), "10.0.0.1:9400");
  EXPECT_EQ(page.find("as reported by"), std::string::npos);
  EXPECT_EQ(page.find("Chunk servers unknown"), std::string::npos);
}

TEST(StatusPageTest, FormatsBytesAndEscapesHtml) {
  EXPECT_EQ(FormatBytes(512), "512 B");
  EXPECT_EQ(FormatBytes(1536), "1.5 KiB");
  EXPECT_EQ(FormatBytes(int64_t{3} << 40), "3.0 TiB");
  EXPECT_EQ(HtmlEscape("a<b>&\"'"), "a&lt;b&gt;&amp;&quot;&#39;");
}

}  // namespace
}  // namespace tessera::master
