// The chunk store's import path (re-replication): a copy is invisible until committed, a crash
// or an error midway leaves nothing behind, an older version is replaced, a newer one refuses
// the copy, and a repeat at the same version changes nothing.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "chunkserver/chunk_store.h"
#include "common/names.h"
#include "tests/unit/chunkserver/test_util.h"

namespace tessera {
namespace {

namespace fs = std::filesystem;
using testing::Bytes;
using testing::FilesIn;
using testing::RandomBytes;
using testing::TempDir;

std::unique_ptr<ChunkStore> OpenStore(const std::vector<std::string>& dirs) {
  Result<std::unique_ptr<ChunkStore>> store = ChunkStore::Open(dirs);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return std::move(store).value();
}

// Appends `data` in pieces of at most 4 MiB, as the replicator does.
Status AppendAll(ChunkImport& import, const std::string& data) {
  for (size_t at = 0; at < data.size(); at += kMaxIoBytes) {
    RETURN_IF_ERROR(import.Append(Bytes(data.substr(at, kMaxIoBytes))));
  }
  return Status::Ok();
}

Result<ImportOutcome> Import(ChunkStore& store, int64_t chunk_id, int64_t version,
                             const std::string& data) {
  ASSIGN_OR_RETURN(auto import, store.BeginImport(chunk_id, version));
  RETURN_IF_ERROR(AppendAll(*import, data));
  return store.CommitImport(std::move(import));
}

class ChunkImportTest : public ::testing::Test {
 protected:
  std::unique_ptr<ChunkStore> Open() { return OpenStore({dir_.path()}); }
  std::string Incoming() const { return dir_.path() + "/incoming"; }

  TempDir dir_;
};

TEST_F(ChunkImportTest, CopyIsInvisibleUntilCommittedThenServedReportedAndDurable) {
  auto store = Open();
  const std::string data = RandomBytes((9 << 20) + 4321, 1);
  auto import = std::move(store->BeginImport(5, 2)).value();
  ASSERT_TRUE(AppendAll(*import, data).ok());
  EXPECT_EQ(import->length(), static_cast<int64_t>(data.size()));

  EXPECT_EQ(store->Read(5, 2, 0, 10).status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(store->Lookup(5).has_value());
  EXPECT_TRUE(store->ListChunks().empty());
  EXPECT_TRUE(store->TakeChanges().added.empty());
  EXPECT_FALSE(fs::exists(ChunkStore::ChunkPath(dir_.path(), 5)));
  EXPECT_EQ(FilesIn(Incoming()).size(), 1u);

  Result<ImportOutcome> outcome = store->CommitImport(std::move(import));
  ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  const ChunkRecord record{5, 2, static_cast<int64_t>(data.size())};
  EXPECT_TRUE(outcome->installed);
  EXPECT_EQ(outcome->record, record);
  EXPECT_TRUE(FilesIn(Incoming()).empty());
  EXPECT_EQ(store->Lookup(5), record);
  EXPECT_EQ(store->TakeChanges().added, std::vector<ChunkRecord>{record});
  EXPECT_EQ(*store->Read(5, 2, 0, kChunkSize), data);
  // It is an ordinary chunk now: it takes writes.
  ASSERT_TRUE(store->Write(5, 2, record.length, Bytes(std::string("tail")), true).ok());

  store.reset();
  store = Open();
  EXPECT_EQ(store->ListChunks(), (std::vector<ChunkRecord>{{5, 2, record.length + 4}}));
  EXPECT_EQ(*store->Read(5, 2, 0, kChunkSize), data + "tail");
}

TEST_F(ChunkImportTest, CrashMidwayLeavesNothingVisibleAfterReopen) {
  GTEST_FLAG_SET(death_test_style, "fast");  // the child must see this fixture's directory
  EXPECT_EXIT(
      {
        auto store = Open();
        auto import = std::move(store->BeginImport(5, 1)).value();
        Status appended = AppendAll(*import, RandomBytes(6 << 20, 2));
        std::_Exit(appended.ok() ? 0 : 1);  // a crash: no destructor cleans up
      },
      ::testing::ExitedWithCode(0), "");
  ASSERT_EQ(FilesIn(Incoming()).size(), 1u) << "the crash should have left its staging file";

  auto store = Open();
  EXPECT_TRUE(FilesIn(Incoming()).empty());
  EXPECT_TRUE(store->ListChunks().empty());
  EXPECT_FALSE(store->Lookup(5).has_value());
  EXPECT_TRUE(store->TakeChanges().added.empty());
  EXPECT_EQ(store->Read(5, 1, 0, 10).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(FilesIn(dir_.path() + "/corrupt").empty());
}

TEST_F(ChunkImportTest, AbandonedCopyLeavesNothing) {
  auto store = Open();
  {
    auto import = std::move(store->BeginImport(5, 1)).value();
    ASSERT_TRUE(AppendAll(*import, RandomBytes(1 << 20, 3)).ok());
    // An import past the end of a chunk is refused, not truncated.
    EXPECT_EQ(import->Append(Bytes(std::string(kChunkSize, 'x'))).code(),
              StatusCode::kInvalidArgument);
  }
  EXPECT_TRUE(FilesIn(Incoming()).empty());
  EXPECT_TRUE(store->ListChunks().empty());
  EXPECT_TRUE(store->TakeChanges().added.empty());
}

TEST_F(ChunkImportTest, OlderVersionIsReplaced) {
  auto store = Open();
  ASSERT_TRUE(store->Write(7, 1, 0, Bytes(RandomBytes(5 << 20, 4)), true).ok());
  store->TakeChanges();
  const std::string data = RandomBytes((1 << 20) + 7, 5);  // shorter: no old byte may survive
  Result<ImportOutcome> outcome = Import(*store, 7, 3, data);
  ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  const ChunkRecord record{7, 3, static_cast<int64_t>(data.size())};
  EXPECT_TRUE(outcome->installed);
  EXPECT_EQ(store->Lookup(7), record);
  EXPECT_EQ(*store->Read(7, 3, 0, kChunkSize), data);
  EXPECT_EQ(store->TakeChanges().added, std::vector<ChunkRecord>{record});

  store.reset();
  store = Open();
  EXPECT_EQ(store->ListChunks(), std::vector<ChunkRecord>{record});
  EXPECT_EQ(*store->Read(7, 3, 0, kChunkSize), data);
  EXPECT_TRUE(FilesIn(dir_.path() + "/corrupt").empty());
}

TEST_F(ChunkImportTest, NewerVersionRefusesTheCopy) {
  auto store = Open();
  const std::string held = RandomBytes(100000, 6);
  ASSERT_TRUE(store->Write(7, 5, 0, Bytes(held), true).ok());
  store->TakeChanges();
  Result<ImportOutcome> outcome = Import(*store, 7, 3, RandomBytes(200000, 7));
  EXPECT_EQ(outcome.status().code(), StatusCode::kStaleVersion);
  EXPECT_EQ(store->Lookup(7), (ChunkRecord{7, 5, 100000}));
  EXPECT_EQ(*store->Read(7, 5, 0, kChunkSize), held);
  EXPECT_TRUE(store->TakeChanges().added.empty());
  EXPECT_TRUE(FilesIn(Incoming()).empty());
}

TEST_F(ChunkImportTest, RepeatAtTheSameVersionKeepsTheChunk) {
  auto store = Open();
  const std::string data = RandomBytes(300000, 8);
  ASSERT_TRUE(Import(*store, 7, 3, data).ok());
  store->TakeChanges();
  Result<ImportOutcome> again = Import(*store, 7, 3, RandomBytes(1000, 9));
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_FALSE(again->installed);
  EXPECT_EQ(again->record, (ChunkRecord{7, 3, 300000}));
  EXPECT_EQ(*store->Read(7, 3, 0, kChunkSize), data);
  EXPECT_TRUE(store->TakeChanges().added.empty());
  EXPECT_TRUE(FilesIn(Incoming()).empty());
}

TEST(ChunkImportDirsTest, CopyReplacesTheOlderVersionInItsOwnDataDir) {
  TempDir a, b;
  const std::vector<std::string> dirs = {a.path(), b.path()};
  ASSERT_TRUE(OpenStore(dirs)->Write(9, 1, 0, Bytes(std::string("old")), true).ok());
  // Move the chunk to the other data dir than the one it was placed in (by free space), so that
  // only the rule "stage next to the older version" puts the copy there.
  const bool placed_in_a = fs::exists(ChunkStore::ChunkPath(a.path(), 9));
  const std::string from = placed_in_a ? a.path() : b.path();
  const std::string to = placed_in_a ? b.path() : a.path();
  fs::create_directories(fs::path(ChunkStore::ChunkPath(to, 9)).parent_path());
  fs::rename(ChunkStore::ChunkPath(from, 9), ChunkStore::ChunkPath(to, 9));

  auto store = OpenStore(dirs);
  ASSERT_TRUE(Import(*store, 9, 2, "new").ok());
  EXPECT_TRUE(fs::exists(ChunkStore::ChunkPath(to, 9)));
  EXPECT_FALSE(fs::exists(ChunkStore::ChunkPath(from, 9)));
  store.reset();
  store = OpenStore(dirs);
  EXPECT_EQ(store->ListChunks(), (std::vector<ChunkRecord>{{9, 2, 3}}));
  EXPECT_EQ(*store->Read(9, 2, 0, 10), "new");
}

}  // namespace
}  // namespace tessera
