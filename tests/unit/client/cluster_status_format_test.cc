#include "client/cli/cluster_status_format.h"

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

}  // namespace
}  // namespace tessera::client::cli
