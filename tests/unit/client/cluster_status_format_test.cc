#include "client/cli/cluster_status_format.h"
#include "client/cli/decommission_progress.h"

#include <gtest/gtest.h>

namespace tessera::client::cli {
namespace {

rpc::ClusterStatus Sample() {
  rpc::ClusterStatus status;
  rpc::MasterStatus master;
  master.address = "127.0.0.1:9400";
  master.role = "leader";
  master.term = 3;
  master.applied_index = 1040;
  master.id = 1;
  master.voter = true;
  master.match_index = 1042;
  status.masters.push_back(master);
  rpc::MasterStatus learner;
  learner.address = "127.0.0.1:9403";
  learner.role = "learner";
  learner.id = 4;
  learner.match_index = 977;
  status.masters.push_back(learner);
  rpc::ChunkServerStatus server;
  server.info.server_id = 17;
  server.info.host = "127.0.0.1";
  server.info.port = 9500;
  server.info.rack = "r\"1";
  server.stats.total_bytes = int64_t{10} << 30;
  server.stats.free_bytes = int64_t{4} << 30;
  server.stats.chunk_count = 12;
  server.alive = true;
  status.chunk_servers.push_back(server);
  status.inode_count = 5;
  status.chunk_count = 12;
  return status;
}

TEST(ClusterStatusFormatTest, TextShowsMastersAndServers) {
  std::string text = FormatClusterStatusText(Sample());
  EXPECT_NE(text.find("127.0.0.1:9400"), std::string::npos);
  EXPECT_NE(text.find("leader"), std::string::npos);
  EXPECT_NE(text.find("1042"), std::string::npos);
  EXPECT_NE(text.find("127.0.0.1:9500"), std::string::npos);
  EXPECT_NE(text.find("10.0 GiB"), std::string::npos);
  EXPECT_NE(text.find("6.0 GiB"), std::string::npos);
  EXPECT_NE(text.find("1 alive"), std::string::npos);
}

TEST(ClusterStatusFormatTest, JsonHasNumbersAndEscapedStrings) {
  std::string json = FormatClusterStatusJson(Sample());
  EXPECT_NE(json.find("\"term\":3"), std::string::npos) << json;
  EXPECT_NE(json.find("\"rack\":\"r\\\"1\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"used_bytes\":6442450944"), std::string::npos) << json;
  EXPECT_NE(json.find("\"alive\":true"), std::string::npos) << json;
}

TEST(ClusterStatusFormatTest, MastersListShowsIdsRolesAndProgress) {
  const rpc::ClusterStatus status = Sample();
  std::string text = FormatMastersText(status.masters);
  EXPECT_NE(text.find("learner"), std::string::npos) << text;
  EXPECT_NE(text.find("977"), std::string::npos) << text;
  std::string json = FormatMastersJson(status.masters);
  EXPECT_NE(json.find("\"id\":4,\"address\":\"127.0.0.1:9403\",\"role\":\"learner\",\"voter\":false"),
            std::string::npos)
      << json;
  EXPECT_NE(json.find("\"match_index\":1042"), std::string::npos) << json;
}

TEST(ClusterStatusFormatTest, JsonStringEscapesControlCharacters) {
  EXPECT_EQ(JsonString("a\\b\n\x01"), "\"a\\\\b\\n\\u0001\"");
}

TEST(ClusterStatusFormatTest, HumanBytes) {
  EXPECT_EQ(HumanBytes(512), "512 B");
  EXPECT_EQ(HumanBytes(1536), "1.5 KiB");
}

TEST(ClusterStatusFormatTest, DrainingServersAreShownAsSuch) {
  rpc::ClusterStatus status = Sample();
  status.chunk_servers[0].__set_draining(true);
  status.chunk_servers[0].__set_chunks_known(7);
  status.__set_draining_server_ids({17});
  EXPECT_NE(FormatClusterStatusText(status).find("draining"), std::string::npos);
  const std::string json = FormatClusterStatusJson(status);
  EXPECT_NE(json.find("\"draining\":true"), std::string::npos) << json;
  EXPECT_NE(json.find("\"chunks_known\":7"), std::string::npos) << json;
  EXPECT_NE(json.find("\"draining_server_ids\":[17]"), std::string::npos) << json;
}

TEST(DecommissionProgressTest, DoneOnlyWhenAliveWithNoReplicaAndNoChunkFile) {
  rpc::ClusterStatus status = Sample();
  status.__set_draining_server_ids({17, 30});  // 30 has not registered with this leader
  status.chunk_servers[0].__set_chunks_known(3);
  DrainState state = DrainStateOf(status, 17);
  EXPECT_TRUE(state.draining);
  EXPECT_EQ(state.replicas_left, 3);
  EXPECT_FALSE(DrainDone(state));
  state.replicas_left = 0;
  EXPECT_FALSE(DrainDone(state)) << "12 chunk files still on the server's disks";
  state.chunk_files = 0;
  EXPECT_TRUE(DrainDone(state));
  state.alive = false;
  EXPECT_FALSE(DrainDone(state));
  DrainState unregistered = DrainStateOf(status, 30);
  EXPECT_TRUE(unregistered.draining);
  EXPECT_FALSE(unregistered.registered);
  EXPECT_FALSE(DrainDone(unregistered));
  EXPECT_EQ(DrainingServers(status).size(), 2u);
  EXPECT_FALSE(DrainStateOf(status, 99).draining);
  EXPECT_NE(FormatDrainStatusText(DrainingServers(status)).find("not registered"),
            std::string::npos);
  EXPECT_NE(FormatDrainStatusJson(DrainingServers(status)).find("\"server_id\":30"),
            std::string::npos);
}

TEST(DecommissionProgressTest, MovedAndRateFollowTheCount) {
  DrainProgress progress(/*window_ms=*/10000);
  progress.Observe(0, 100);
  EXPECT_EQ(progress.moved(), 0);
  EXPECT_EQ(progress.rate(), 0.0);
  progress.Observe(1000, 90);
  progress.Observe(2000, 80);
  EXPECT_EQ(progress.moved(), 20);
  EXPECT_DOUBLE_EQ(progress.rate(), 10.0);
  progress.Observe(3000, 85);  // a late report raises the count: not undone progress
  EXPECT_EQ(progress.moved(), 20);
  progress.Observe(4000, 75);
  EXPECT_EQ(progress.moved(), 30);
  DrainState state;
  state.server_id = 4;
  state.registered = true;
  state.alive = true;
  state.replicas_left = 75;
  const std::string line = progress.Line(state);
  EXPECT_NE(line.find("server 4: 75 replicas left, 30 moved"), std::string::npos) << line;
  EXPECT_NE(line.find("replicas/s"), std::string::npos) << line;
}

}  // namespace
}  // namespace tessera::client::cli
