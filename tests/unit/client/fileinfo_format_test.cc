#include "client/cli/fileinfo_format.h"

#include <gtest/gtest.h>

#include "client/cli/cluster_status_format.h"

namespace tessera::client::cli {
namespace {

rpc::FileReplica Replica(int64_t server, int64_t version, const std::string& state) {
  rpc::FileReplica replica;
  replica.server_id = server;
  replica.address = "127.0.0.1:" + std::to_string(9500 + server);
  replica.version = version;
  replica.state = state;
  return replica;
}

rpc::FileInfoReply TwoChunks() {
  rpc::FileInfoReply info;
  info.path = "/dir/f \"q\"";
  info.inode = 42;
  info.size = (int64_t{64} << 20) + 10;
  info.goal = 2;
  rpc::FileChunk first;
  first.chunk_index = 0;
  first.chunk_id = 7;
  first.version = 3;
  first.length = int64_t{64} << 20;
  first.live_copies = 2;
  first.replicas = {Replica(1, 3, "live"), Replica(2, 3, "live")};
  rpc::FileChunk second = first;
  second.chunk_index = 1;
  second.chunk_id = 8;
  second.length = 10;
  second.live_copies = 1;
  second.replicas = {Replica(1, 3, "live"), Replica(3, 2, "stale")};
  info.chunks = {first, second};
  return info;
}

TEST(FileInfoFormatTest, TextListsChunksReplicasAndUnderGoal) {
  const rpc::FileInfoReply info = TwoChunks();
  const std::string text = FormatFileInfoText(info);
  EXPECT_NE(text.find("chunk 0: id 7 version 3 length 67108864, 2/2 live"), std::string::npos)
      << text;
  EXPECT_NE(text.find("chunk 1: id 8 version 3 length 10, 1/2 live (UNDER GOAL)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("3@127.0.0.1:9503 stale v2"), std::string::npos) << text;
  EXPECT_FALSE(FileFullyReplicated(info));
}

TEST(FileInfoFormatTest, JsonHasStableFieldsAndEscapes) {
  const std::string json = FormatFileInfoJson(TwoChunks());
  EXPECT_NE(json.find("\"path\":\"/dir/f \\\"q\\\"\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"fully_replicated\":false"), std::string::npos) << json;
  EXPECT_NE(json.find("{\"server_id\":3,\"address\":\"127.0.0.1:9503\",\"version\":2,"
                      "\"state\":\"stale\",\"draining\":false}"),
            std::string::npos)
      << json;
}

TEST(ClusterHealthTest, DeadServersAndUnreachableMastersAreProblems) {
  rpc::ClusterStatus status;
  rpc::MasterStatus master;
  master.id = 2;
  master.address = "10.0.0.2:9400";
  master.role = "unreachable";
  status.masters = {master};
  rpc::ChunkServerStatus server;
  server.info.server_id = 5;
  server.info.host = "10.0.0.5";
  server.info.port = 9500;
  server.alive = false;
  status.chunk_servers = {server};
  const ClusterHealth health = AssessHealth(status);
  EXPECT_FALSE(health.healthy);
  ASSERT_EQ(health.problems.size(), 2u);
  EXPECT_EQ(health.problems[0], "master 2 (10.0.0.2:9400) is unreachable");
  EXPECT_EQ(health.problems[1], "chunk server 5 (10.0.0.5:9500) is dead");
  status.masters[0].role = "leader";
  status.chunk_servers[0].alive = true;
  EXPECT_TRUE(AssessHealth(status).healthy);
  EXPECT_NE(FormatClusterStatusJson(status).find("\"health\":{\"healthy\":true,\"problems\":[]}"),
            std::string::npos);
}

}  // namespace
}  // namespace tessera::client::cli
