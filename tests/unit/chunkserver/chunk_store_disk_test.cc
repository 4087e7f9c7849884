// The chunk store and bad disks: a data dir that fails I/O is taken out of service, a full one
// takes no new chunk.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>

#include "chunkserver/chunk_store.h"
#include "tests/unit/chunkserver/test_util.h"

namespace tessera {
namespace {

namespace fs = std::filesystem;
using testing::Bytes;
using testing::RandomBytes;
using testing::TempDir;

// The data dir (index into `dirs`) holding each chunk file.
std::map<int64_t, size_t> WhereChunksAre(const std::vector<std::string>& dirs,
                                         const std::vector<int64_t>& chunk_ids) {
  std::map<int64_t, size_t> where;
  for (int64_t id : chunk_ids) {
    for (size_t i = 0; i < dirs.size(); ++i) {
      if (fs::exists(ChunkStore::ChunkPath(dirs[i], id))) where[id] = i;
    }
  }
  return where;
}

class ChunkStoreDiskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dirs_ = {a_.path(), b_.path()};
    store_ = std::move(ChunkStore::Open(dirs_)).value();
    for (int64_t id = 1; id <= 8; ++id) {
      ASSERT_TRUE(store_->Write(id, 1, 0, Bytes(RandomBytes(5000, id)), false).ok());
    }
    (void)store_->TakeChanges();
    where_ = WhereChunksAre(dirs_, {1, 2, 3, 4, 5, 6, 7, 8});
  }

  std::vector<int64_t> ChunksIn(size_t dir) const {
    std::vector<int64_t> ids;
    for (const auto& [id, d] : where_) {
      if (d == dir) ids.push_back(id);
    }
    return ids;
  }

  // Replaces DATA_DIR/chunks with a plain file: opening it as a directory fails with ENOTDIR.
  void BreakDir(size_t dir) {
    const fs::path chunks = fs::path(dirs_[dir]) / "chunks";
    fs::rename(chunks, fs::path(dirs_[dir]) / "chunks.broken");
    std::ofstream(chunks.string()) << "not a directory";
  }

  TempDir a_, b_;
  std::vector<std::string> dirs_;
  std::unique_ptr<ChunkStore> store_;
  std::map<int64_t, size_t> where_;
};

TEST_F(ChunkStoreDiskTest, DirsOnOneFileSystemShareTheNewChunks) {
  ASSERT_EQ(where_.size(), 8u);
  EXPECT_EQ(ChunksIn(0).size(), 4u);
  EXPECT_EQ(ChunksIn(1).size(), 4u);
}

TEST_F(ChunkStoreDiskTest, AFailedDirIsTakenOutAndItsChunksReportedRemoved) {
  const std::vector<int64_t> lost = ChunksIn(1);
  ASSERT_FALSE(lost.empty());
  BreakDir(1);
  store_->CheckDataDirs();

  EXPECT_TRUE(store_->dir_failed(1));
  EXPECT_FALSE(store_->dir_failed(0));
  ChunkChanges changes = store_->TakeChanges();
  std::vector<int64_t> removed = changes.removed;
  std::sort(removed.begin(), removed.end());
  EXPECT_EQ(removed, lost);
  EXPECT_EQ(store_->counters().dirs_failed, 1);
  EXPECT_EQ(store_->counters().chunks_lost_with_dirs, static_cast<int64_t>(lost.size()));
  EXPECT_EQ(store_->ListChunks().size(), 8 - lost.size());
  SpaceStats space = store_->Space();
  EXPECT_EQ(space.dirs_ok, 1);
  EXPECT_EQ(space.dirs_failed, 1);

  // Chunks of the good dir are still served; those of the failed one are gone for good.
  for (int64_t id : ChunksIn(0)) {
    EXPECT_EQ(*store_->Read(id, 1, 0, 5000), RandomBytes(5000, id)) << id;
  }
  EXPECT_EQ(store_->Read(lost.front(), 1, 0, 10).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->Write(lost.front(), 1, 0, Bytes(std::string("x")), false).code(),
            StatusCode::kIoError);
  // New chunks all go to the good dir.
  for (int64_t id = 100; id < 104; ++id) {
    ASSERT_TRUE(store_->Write(id, 1, 0, Bytes(std::string("new")), false).ok());
    EXPECT_TRUE(fs::exists(ChunkStore::ChunkPath(dirs_[0], id))) << id;
  }
}

TEST_F(ChunkStoreDiskTest, AnIoErrorOnAChunkTakesItsDirOutAndAnswersIoError) {
  const int64_t victim = ChunksIn(0).front();
  // The chunk file becomes a directory: opening it for writing fails with EISDIR.
  const std::string path = ChunkStore::ChunkPath(dirs_[0], victim);
  fs::remove(path);
  fs::create_directory(path);
  EXPECT_EQ(store_->Write(victim, 1, 0, Bytes(std::string("x")), false).code(),
            StatusCode::kIoError);
  EXPECT_TRUE(store_->dir_failed(0));
  std::vector<int64_t> removed = store_->TakeChanges().removed;
  std::sort(removed.begin(), removed.end());
  EXPECT_EQ(removed, ChunksIn(0));
  for (int64_t id : ChunksIn(1)) EXPECT_TRUE(store_->Lookup(id).has_value()) << id;
}

TEST_F(ChunkStoreDiskTest, WhenEveryDirFailedTheServerHoldsNothing) {
  BreakDir(0);
  BreakDir(1);
  store_->CheckDataDirs();
  EXPECT_TRUE(store_->ListChunks().empty());
  EXPECT_EQ(store_->TakeChanges().removed.size(), 8u);
  EXPECT_EQ(store_->Write(200, 1, 0, Bytes(std::string("x")), false).code(), StatusCode::kIoError);
  EXPECT_EQ(store_->Space().dirs_ok, 0);
}

TEST(ChunkStoreFullDiskTest, NewChunksSkipFullDirsAndNoRoomIsNoSpace) {
  TempDir a, b;
  std::map<std::string, int64_t> free = {{a.path(), kChunkSize - 1}, {b.path(), int64_t{10} << 30}};
  ChunkStoreOptions options;
  options.free_bytes = [&free](const std::string& dir) -> std::optional<int64_t> {
    return free.at(dir);
  };
  auto store = std::move(ChunkStore::Open({a.path(), b.path()}, options)).value();
  for (int64_t id = 1; id <= 4; ++id) {
    ASSERT_TRUE(store->Write(id, 1, 0, Bytes(std::string("abc")), false).ok());
    EXPECT_TRUE(fs::exists(ChunkStore::ChunkPath(b.path(), id))) << id;
  }
  // The most free dir wins when it can hold a chunk.
  free[a.path()] = int64_t{20} << 30;
  ASSERT_TRUE(store->Write(5, 1, 0, Bytes(std::string("abc")), false).ok());
  EXPECT_TRUE(fs::exists(ChunkStore::ChunkPath(a.path(), 5)));

  // Nowhere has room: no new chunk, NO_SPACE, and the chunk reported not here (the master
  // placed it here), while chunks already here still take writes.
  free[a.path()] = kMinFreeBytesForNewChunk - 1;
  free[b.path()] = 1 << 20;
  (void)store->TakeChanges();
  EXPECT_EQ(store->Write(6, 1, 0, Bytes(std::string("abc")), false).code(), StatusCode::kNoSpace);
  EXPECT_FALSE(store->Lookup(6).has_value());
  EXPECT_EQ(store->TakeChanges().removed, std::vector<int64_t>{6});
  EXPECT_EQ(store->BeginImport(7, 1).status().code(), StatusCode::kNoSpace);
  EXPECT_EQ(store->counters().creates_refused_full, 2);
  EXPECT_TRUE(store->Write(1, 1, 3, Bytes(std::string("def")), false).ok());
  EXPECT_FALSE(store->dir_failed(0));
  EXPECT_FALSE(store->dir_failed(1));
}

}  // namespace
}  // namespace tessera
