#include "chunkserver/chunk_scrubber.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "chunkserver/chunk_file.h"
#include "tests/unit/chunkserver/test_util.h"

namespace tessera {
namespace {

namespace fs = std::filesystem;
using testing::Bytes;
using testing::FilesIn;
using testing::ManualClock;
using testing::RandomBytes;
using testing::TempDir;

constexpr int64_t kPiece = 256 * 1024;

// Flips one bit of the chunk file at `file_offset`, as rot on the disk would.
void FlipBit(const std::string& path, int64_t file_offset) {
  std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
  file.seekg(file_offset);
  char c = 0;
  file.read(&c, 1);
  c = static_cast<char>(c ^ 0x10);
  file.seekp(file_offset);
  file.write(&c, 1);
}

// A scrubber on a manual clock whose waits advance the clock and are added up.
struct ScrubberHarness {
  explicit ScrubberHarness(ChunkStore* store, int64_t bytes_per_second = 1'000'000) {
    ScrubOptions options;
    options.bytes_per_second = bytes_per_second;
    options.piece_bytes = kPiece;
    scrubber = std::make_unique<ChunkScrubber>(store, options, &clock,
                                               [this](std::chrono::nanoseconds wait) {
                                                 waited += wait;
                                                 clock.Advance(wait);
                                                 return true;
                                               });
  }
  ManualClock clock;
  std::chrono::nanoseconds waited{0};
  std::unique_ptr<ChunkScrubber> scrubber;
};

class ChunkScrubberTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::move(ChunkStore::Open({dir_.path()})).value();
    ASSERT_TRUE(store_->Write(1, 2, 0, Bytes(RandomBytes(1'000'000, 1)), false).ok());
    ASSERT_TRUE(store_->Write(2, 1, 0, Bytes(RandomBytes(300'000, 2)), false).ok());
    ASSERT_TRUE(store_->Write(3, 1, 0, Bytes(std::string()), false).ok());  // empty chunk
    (void)store_->TakeChanges();
  }

  TempDir dir_;
  std::unique_ptr<ChunkStore> store_;
};

TEST_F(ChunkScrubberTest, CleanPassVerifiesEveryByteAndFindsNothing) {
  ScrubberHarness harness(store_.get());
  ASSERT_TRUE(harness.scrubber->RunPass());
  ScrubCounters counters = harness.scrubber->counters();
  EXPECT_EQ(counters.passes, 1);
  EXPECT_EQ(counters.chunks_verified, 3);
  EXPECT_EQ(counters.bytes_verified, 1'300'000);
  EXPECT_EQ(counters.corrupt_found, 0);
  EXPECT_EQ(counters.failed, 0);
  EXPECT_EQ(store_->ListChunks().size(), 3u);
  EXPECT_TRUE(store_->TakeChanges().removed.empty());
  EXPECT_TRUE(FilesIn(dir_.path() + "/corrupt").empty());
}

TEST_F(ChunkScrubberTest, FlippedByteIsFoundSetAsideAndReportedRemoved) {
  const std::string path = ChunkStore::ChunkPath(dir_.path(), 1);
  FlipBit(path, kChunkHeaderSize + 700'000);  // a block in the third piece
  ScrubberHarness harness(store_.get());
  ASSERT_TRUE(harness.scrubber->RunPass());

  ScrubCounters counters = harness.scrubber->counters();
  EXPECT_EQ(counters.corrupt_found, 1);
  EXPECT_EQ(counters.chunks_verified, 2);  // chunks 2 and 3
  EXPECT_EQ(store_->counters().corrupt_set_aside, 1);
  EXPECT_FALSE(store_->Lookup(1).has_value());
  EXPECT_FALSE(fs::exists(path));
  EXPECT_EQ(FilesIn(dir_.path() + "/corrupt"),
            std::vector<std::string>{fs::path(path).filename().string()});
  ChunkChanges changes = store_->TakeChanges();
  EXPECT_EQ(changes.removed, std::vector<int64_t>{1});
  EXPECT_EQ(store_->Read(1, 2, 0, 10).status().code(), StatusCode::kNotFound);
  // A write must not bring the lost chunk back as a fresh, mostly zero file.
  EXPECT_EQ(store_->Write(1, 2, 4096, Bytes(std::string("x")), false).code(), StatusCode::kIoError);
  EXPECT_FALSE(store_->Lookup(1).has_value());
  EXPECT_EQ(store_->TakeChanges().removed, std::vector<int64_t>{1});  // reported gone again
  // A newer version is a fresh placement of the chunk by the master: it may start empty.
  ASSERT_TRUE(store_->Write(1, 3, 0, Bytes(std::string("fresh")), false).ok());
  EXPECT_EQ(*store_->Read(1, 3, 0, 10), "fresh");
  ASSERT_TRUE(store_->Delete(1).ok());
  (void)store_->TakeChanges();

  // The next pass finds the rest clean.
  ASSERT_TRUE(harness.scrubber->RunPass());
  EXPECT_EQ(harness.scrubber->counters().corrupt_found, 1);
  EXPECT_EQ(harness.scrubber->counters().chunks_verified, 4);
}

TEST_F(ChunkScrubberTest, CorruptHeaderIsFoundToo) {
  FlipBit(ChunkStore::ChunkPath(dir_.path(), 3), 30);  // the empty chunk's length field
  ScrubberHarness harness(store_.get());
  ASSERT_TRUE(harness.scrubber->RunPass());
  EXPECT_EQ(harness.scrubber->counters().corrupt_found, 1);
  EXPECT_EQ(store_->TakeChanges().removed, std::vector<int64_t>{3});
}

TEST_F(ChunkScrubberTest, RateLimitHoldsOverAPass) {
  // 1.3 MB at 100 kB/s: the tokens ask for about 13 s of waiting, less the one-piece burst.
  const int64_t rate = 100'000;
  ScrubberHarness harness(store_.get(), rate);
  ASSERT_TRUE(harness.scrubber->RunPass());
  const double waited_s = std::chrono::duration<double>(harness.waited).count();
  const double expected_s = static_cast<double>(1'300'000 - kPiece) / rate;
  EXPECT_GT(waited_s, expected_s * 0.95);
  EXPECT_LT(waited_s, expected_s * 1.05 + 1.0);  // + the one byte taken for the empty chunk
}

TEST_F(ChunkScrubberTest, AReadThatMeetsABadBlockSetsTheChunkAsideToo) {
  FlipBit(ChunkStore::ChunkPath(dir_.path(), 2), kChunkHeaderSize + 5);
  EXPECT_EQ(store_->Read(2, 1, 0, 100).status().code(), StatusCode::kCorruption);
  EXPECT_FALSE(store_->Lookup(2).has_value());
  EXPECT_EQ(store_->TakeChanges().removed, std::vector<int64_t>{2});
  EXPECT_EQ(FilesIn(dir_.path() + "/corrupt").size(), 1u);
  // Reopened, the store does not serve it either.
  store_.reset();
  store_ = std::move(ChunkStore::Open({dir_.path()})).value();
  EXPECT_FALSE(store_->Lookup(2).has_value());
}

TEST(ChunkScrubberThreadTest, StopEndsTheThreadPromptly) {
  TempDir dir;
  auto store = std::move(ChunkStore::Open({dir.path()})).value();
  ASSERT_TRUE(store->Write(1, 1, 0, Bytes(RandomBytes(100'000, 3)), false).ok());
  SystemClock clock;
  ScrubOptions options;
  options.bytes_per_second = 1'000'000'000;
  options.pause_between_passes = std::chrono::hours(1);
  ChunkScrubber scrubber(store.get(), options, &clock);
  scrubber.Start();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (scrubber.counters().passes == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(scrubber.counters().passes, 1);
  const auto stop_started = std::chrono::steady_clock::now();
  scrubber.Stop();  // waits in the hour-long pause now
  EXPECT_LT(std::chrono::steady_clock::now() - stop_started, std::chrono::seconds(5));
  EXPECT_EQ(scrubber.counters().bytes_verified, 100'000);
}

}  // namespace
}  // namespace tessera
