// A master restart (clean or kill -9) keeps the namespace and the file's chunks.
#include <gtest/gtest.h>
#include <signal.h>

#include "common/names.h"
#include "tests/integration/cluster_test_fixture.h"

namespace tessera::testing {
namespace {

class MasterRestartTest : public ClusterTest,
                          public ::testing::WithParamInterface<bool /*kill -9*/> {};

TEST_P(MasterRestartTest, NamespaceAndChunksSurvive) {
  const bool hard_kill = GetParam();
  Result<rpc::Attr> dir = Mkdir(kRootInode, "kept");
  ASSERT_TRUE(dir.ok()) << dir.status().ToString();
  Result<rpc::Attr> file = Create(dir->inode, "file", 0600);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  ASSERT_TRUE(Create(dir->inode, "removed").ok());
  ASSERT_TRUE(Unlink(dir->inode, "removed").ok());
  ASSERT_TRUE(Mkdir(kRootInode, "old-name").ok());
  ASSERT_TRUE(Rename(kRootInode, "old-name", dir->inode, "new-name").ok());

  Result<rpc::ChunkInfo> chunk = PrepareWrite(file->inode, 0);
  ASSERT_TRUE(chunk.ok()) << chunk.status().ToString();
  ASSERT_FALSE(chunk->replicas.empty());
  rpc::WriteChunkRequest write;
  write.chunk_id = chunk->chunk_id;
  write.version = chunk->version;
  write.offset = 0;
  write.data = "hello, restart";
  write.downstream.assign(chunk->replicas.begin() + 1, chunk->replicas.end());
  write.sync = true;
  ASSERT_TRUE(WriteChunk(AddressOf(chunk->replicas[0]), write).ok());
  ASSERT_TRUE(CommitWrite(file->inode, write.data.size(), 1).ok());

  if (hard_kill) {
    ASSERT_TRUE(cluster_->master().Kill().ok());
  } else {
    Result<int> exited = cluster_->master().Stop();
    ASSERT_TRUE(exited.ok()) << exited.status().ToString();
    EXPECT_EQ(DescribeWaitStatus(*exited), "exited with 0") << "SIGTERM must shut down cleanly";
  }
  Status restarted = cluster_->RestartMaster();
  ASSERT_TRUE(restarted.ok()) << restarted.ToString();

  Result<rpc::Attr> kept = Lookup(kRootInode, "kept");
  ASSERT_TRUE(kept.ok()) << kept.status().ToString();
  EXPECT_EQ(kept->inode, dir->inode);
  Result<rpc::Attr> kept_file = Lookup(dir->inode, "file");
  ASSERT_TRUE(kept_file.ok()) << kept_file.status().ToString();
  EXPECT_EQ(kept_file->inode, file->inode);
  EXPECT_EQ(kept_file->mode & 07777, 0600);
  EXPECT_EQ(kept_file->size, static_cast<int64_t>(write.data.size()));
  EXPECT_EQ(Lookup(dir->inode, "removed").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(Lookup(kRootInode, "old-name").status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(Lookup(dir->inode, "new-name").ok());
  // New inodes never reuse old numbers.
  Result<rpc::Attr> fresh = Create(kRootInode, "after-restart");
  ASSERT_TRUE(fresh.ok()) << fresh.status().ToString();
  EXPECT_NE(fresh->inode, file->inode);
  EXPECT_NE(fresh->inode, dir->inode);

  // Chunk locations are soft state: they come back once the chunk servers report again.
  ASSERT_TRUE(cluster_->WaitForAliveChunkServers(3, std::chrono::seconds(30)).ok());
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  std::vector<rpc::ChunkInfo> chunks;
  while (std::chrono::steady_clock::now() < deadline) {
    Result<std::vector<rpc::ChunkInfo>> got = GetChunks(file->inode, 0, 1);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    chunks = *got;
    if (chunks.size() == 1 && chunks[0].replicas.size() == chunk->replicas.size()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(chunks.size(), 1u);
  EXPECT_EQ(chunks[0].chunk_id, chunk->chunk_id);
  ASSERT_EQ(chunks[0].replicas.size(), chunk->replicas.size());
  rpc::ReadChunkRequest read;
  read.chunk_id = chunks[0].chunk_id;
  read.version = chunks[0].version;
  read.offset = 0;
  read.length = 1024;
  Result<std::string> data = ReadChunk(AddressOf(chunks[0].replicas[0]), read);
  ASSERT_TRUE(data.ok()) << data.status().ToString();
  EXPECT_EQ(*data, write.data);
}

INSTANTIATE_TEST_SUITE_P(CleanAndKill, MasterRestartTest, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "Kill9" : "Sigterm"; });

}  // namespace
}  // namespace tessera::testing
