#include "chunkserver/chunk_store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "chunkserver/chunk_file.h"
#include "tests/unit/chunkserver/test_util.h"

namespace tessera {
namespace {

namespace fs = std::filesystem;
using testing::Bytes;
using testing::RandomBytes;
using testing::TempDir;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(ChunkStoreTest, ChunkPathFollowsContract) {
  EXPECT_EQ(ChunkStore::ChunkPath("/d", 0x1234abcd), "/d/chunks/cd/000000001234abcd.chunk");
  EXPECT_EQ(ChunkStore::ChunkPath("/d", 1), "/d/chunks/01/0000000000000001.chunk");
}

TEST(ChunkStoreTest, WriteReadAndScanAfterRestart) {
  TempDir dir;
  std::string data = RandomBytes(100000, 1);
  int64_t server_id = 0;
  {
    auto store = ChunkStore::Open({dir.path()});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    server_id = (*store)->server_id();
    EXPECT_GT(server_id, 0);
    ASSERT_TRUE((*store)->Write(42, 3, 0, Bytes(data), /*sync=*/true).ok());
    ASSERT_TRUE((*store)->Write(43, 1, 10, Bytes(data), false).ok());
    EXPECT_TRUE(fs::exists(ChunkStore::ChunkPath(dir.path(), 42)));
  }
  auto store = ChunkStore::Open({dir.path()});
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ((*store)->server_id(), server_id);
  auto chunks = (*store)->ListChunks();
  ASSERT_EQ(chunks.size(), 2u);
  EXPECT_EQ(chunks[0], (ChunkRecord{42, 3, 100000}));
  EXPECT_EQ(chunks[1], (ChunkRecord{43, 1, 100010}));
  auto read = (*store)->Read(42, 3, 0, 1 << 20);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(*read, data);
  EXPECT_EQ(ReadFile(dir.path() + "/server_id"), std::to_string(server_id) + "\n");
}

TEST(ChunkStoreTest, VersionRules) {
  TempDir dir;
  auto store = std::move(ChunkStore::Open({dir.path()})).value();
  ASSERT_TRUE(store->Write(7, 5, 0, Bytes(std::string("abc")), false).ok());
  EXPECT_EQ(store->Write(7, 4, 0, Bytes(std::string("x")), false).code(),
            StatusCode::kStaleVersion);
  EXPECT_EQ(store->Read(7, 6, 0, 3).status().code(), StatusCode::kStaleVersion);
  EXPECT_EQ(store->Sync(7, 6).code(), StatusCode::kStaleVersion);
  EXPECT_EQ(*store->Read(7, 4, 0, 3), "abc");  // an older named version is served
  ASSERT_TRUE(store->Write(7, 6, 3, Bytes(std::string("d")), false).ok());
  EXPECT_EQ(store->ListChunks().front(), (ChunkRecord{7, 6, 4}));
  EXPECT_EQ(*store->Read(7, 6, 0, 10), "abcd");
  EXPECT_TRUE(store->Sync(7, 6).ok());
}

TEST(ChunkStoreTest, DeleteAndIncrementalChanges) {
  TempDir dir;
  auto store = std::move(ChunkStore::Open({dir.path()})).value();
  ASSERT_TRUE(store->Write(1, 1, 0, Bytes(std::string("a")), false).ok());
  ASSERT_TRUE(store->Write(2, 1, 0, Bytes(std::string("b")), false).ok());
  ChunkChanges first = store->TakeChanges();
  EXPECT_EQ(first.added.size(), 2u);
  EXPECT_TRUE(first.removed.empty());

  ASSERT_TRUE(store->Delete(1).ok());
  EXPECT_EQ(store->Delete(1).code(), StatusCode::kNotFound);
  EXPECT_EQ(store->Read(1, 1, 0, 1).status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(fs::exists(ChunkStore::ChunkPath(dir.path(), 1)));
  ChunkChanges second = store->TakeChanges();
  EXPECT_TRUE(second.added.empty());
  EXPECT_EQ(second.removed, std::vector<int64_t>{1});
  EXPECT_TRUE(store->TakeChanges().removed.empty());

  // A deleted chunk id can be written again (a fresh file).
  ASSERT_TRUE(store->Write(1, 2, 0, Bytes(std::string("c")), false).ok());
  EXPECT_EQ(*store->Read(1, 2, 0, 5), "c");
}

TEST(ChunkStoreTest, CorruptHeaderIsMovedAsideAtStartup) {
  TempDir dir;
  {
    auto store = std::move(ChunkStore::Open({dir.path()})).value();
    ASSERT_TRUE(store->Write(9, 1, 0, Bytes(std::string("nine")), false).ok());
    ASSERT_TRUE(store->Write(10, 1, 0, Bytes(std::string("ten")), false).ok());
  }
  const std::string path = ChunkStore::ChunkPath(dir.path(), 9);
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(20);
    f.put('\x7f');
  }
  auto store = std::move(ChunkStore::Open({dir.path()})).value();
  EXPECT_EQ(store->ListChunks(), (std::vector<ChunkRecord>{{10, 1, 3}}));
  EXPECT_FALSE(fs::exists(path));
  EXPECT_TRUE(fs::exists(dir.path() + "/corrupt/0000000000000009.chunk"));
}

TEST(ChunkStoreTest, SeveralDataDirsShareOneServerIdAndAllAreScanned) {
  TempDir a, b;
  std::vector<std::string> dirs = {a.path(), b.path()};
  {
    auto store = std::move(ChunkStore::Open(dirs)).value();
    for (int64_t id = 1; id <= 20; ++id) {
      ASSERT_TRUE(store->Write(id, 1, 0, Bytes(std::to_string(id)), false).ok());
    }
  }
  EXPECT_EQ(ReadFile(a.path() + "/server_id"), ReadFile(b.path() + "/server_id"));
  auto store = std::move(ChunkStore::Open(dirs)).value();
  EXPECT_EQ(store->chunk_count(), 20);
  for (int64_t id = 1; id <= 20; ++id) EXPECT_EQ(*store->Read(id, 1, 0, 10), std::to_string(id));
  SpaceStats space = store->Space();
  EXPECT_EQ(space.dirs_ok, 2);
  EXPECT_GT(space.total_bytes, 0);
}

TEST(ChunkStoreTest, DisagreeingServerIdsAreRefused) {
  TempDir a, b;
  ASSERT_TRUE(ChunkStore::Open({a.path()}).ok());
  ASSERT_TRUE(ChunkStore::Open({b.path()}).ok());
  EXPECT_EQ(ChunkStore::Open({a.path(), b.path()}).status().code(), StatusCode::kCorruption);
}

TEST(ChunkStoreTest, ConcurrentWritersToDifferentAndSameChunks) {
  TempDir dir;
  auto store = std::move(ChunkStore::Open({dir.path()})).value();
  constexpr int kThreads = 8;
  constexpr int kWritesPerThread = 50;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kWritesPerThread; ++i) {
        std::string piece(100, static_cast<char>('a' + t));
        // Every thread writes its own slot of the shared chunk 1 and its own chunk 100 + t.
        EXPECT_TRUE(store->Write(1, 1, (t * kWritesPerThread + i) * 100, Bytes(piece), false).ok());
        EXPECT_TRUE(store->Write(100 + t, 1, i * 100, Bytes(piece), false).ok());
      }
    });
  }
  for (auto& thread : threads) thread.join();
  auto shared = store->Read(1, 1, 0, kThreads * kWritesPerThread * 100);
  ASSERT_TRUE(shared.ok()) << shared.status().ToString();
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(shared->substr(t * kWritesPerThread * 100, kWritesPerThread * 100),
              std::string(kWritesPerThread * 100, static_cast<char>('a' + t)));
  }
  EXPECT_EQ(store->chunk_count(), kThreads + 1);
}

}  // namespace
}  // namespace tessera
