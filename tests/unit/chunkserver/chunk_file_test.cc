#include "chunkserver/chunk_file.h"
#include "chunkserver/file_io.h"

#include <gtest/gtest.h>

#include "tests/unit/chunkserver/test_util.h"

namespace tessera {
namespace {

using testing::Bytes;
using testing::MemoryFile;
using testing::MemoryFileIo;
using testing::RandomBytes;

constexpr int64_t kBlock = kChecksumBlockSize;
constexpr int64_t kChunkId = 0x1234;

class ChunkFileTest : public ::testing::Test {
 protected:
  std::unique_ptr<ChunkFile> CreateChunk(int64_t version = 1) {
    auto created = ChunkFile::Create(std::make_unique<MemoryFileIo>(file_), kChunkId, version);
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    return std::move(created).value();
  }
  Result<std::unique_ptr<ChunkFile>> Reopen() {
    return ChunkFile::Open(std::make_unique<MemoryFileIo>(file_), kChunkId);
  }
  std::string ReadAll(const ChunkFile& chunk) {
    auto data = chunk.Read(0, kChunkSize);
    EXPECT_TRUE(data.ok()) << data.status().ToString();
    return data.ok() ? *data : "";
  }
  void FlipDataByte(int64_t data_offset) {
    std::lock_guard lock(file_->mu);
    file_->bytes[kChunkHeaderSize + data_offset] ^= 0x5a;
  }

  std::shared_ptr<MemoryFile> file_ = std::make_shared<MemoryFile>();
};

TEST_F(ChunkFileTest, NewChunkHasFullHeaderAndNoData) {
  auto chunk = CreateChunk(7);
  EXPECT_EQ(file_->bytes.size(), static_cast<size_t>(kChunkHeaderSize));
  EXPECT_EQ(file_->bytes.substr(0, 8), "TSRCHUNK");
  auto reopened = Reopen();
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  EXPECT_EQ((*reopened)->version(), 7);
  EXPECT_EQ((*reopened)->length(), 0);
  EXPECT_EQ(ReadAll(**reopened), "");
}

TEST_F(ChunkFileTest, RoundTripSurvivesReopen) {
  auto chunk = CreateChunk();
  std::string data = RandomBytes(3 * kBlock + 123, 1);
  ASSERT_TRUE(chunk->Write(2, 0, Bytes(data)).ok());
  EXPECT_EQ(chunk->length(), static_cast<int64_t>(data.size()));
  EXPECT_EQ(ReadAll(*chunk), data);

  auto reopened = Reopen();
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  EXPECT_EQ((*reopened)->version(), 2);
  EXPECT_EQ((*reopened)->length(), static_cast<int64_t>(data.size()));
  EXPECT_EQ(ReadAll(**reopened), data);
  auto middle = (*reopened)->Read(kBlock - 10, 20);
  ASSERT_TRUE(middle.ok());
  EXPECT_EQ(*middle, data.substr(kBlock - 10, 20));
}

TEST_F(ChunkFileTest, OverwriteInsideOneBlock) {
  auto chunk = CreateChunk();
  std::string data = RandomBytes(2 * kBlock, 2);
  ASSERT_TRUE(chunk->Write(1, 0, Bytes(data)).ok());
  std::string patch = RandomBytes(100, 3);
  ASSERT_TRUE(chunk->Write(1, 1000, Bytes(patch)).ok());
  data.replace(1000, patch.size(), patch);
  EXPECT_EQ(ReadAll(*chunk), data);
  EXPECT_EQ(ReadAll(**Reopen()), data);
}

TEST_F(ChunkFileTest, OverwriteAcrossBlocks) {
  auto chunk = CreateChunk();
  std::string data = RandomBytes(4 * kBlock, 4);
  ASSERT_TRUE(chunk->Write(1, 0, Bytes(data)).ok());
  std::string patch = RandomBytes(2 * kBlock, 5);
  const int64_t at = kBlock / 2;
  ASSERT_TRUE(chunk->Write(1, at, Bytes(patch)).ok());
  data.replace(at, patch.size(), patch);
  EXPECT_EQ(chunk->length(), 4 * kBlock);
  EXPECT_EQ(ReadAll(**Reopen()), data);
}

TEST_F(ChunkFileTest, AppendToPartialLastBlock) {
  auto chunk = CreateChunk();
  std::string first = RandomBytes(100, 6);
  std::string second = RandomBytes(kBlock, 7);
  ASSERT_TRUE(chunk->Write(1, 0, Bytes(first)).ok());
  ASSERT_TRUE(chunk->Write(1, 100, Bytes(second)).ok());
  EXPECT_EQ(ReadAll(**Reopen()), first + second);
}

TEST_F(ChunkFileTest, WritePastLengthLeavesZeros) {
  auto chunk = CreateChunk();
  std::string head = RandomBytes(10, 8);
  std::string tail = RandomBytes(50, 9);
  const int64_t at = 5 * kBlock + 7;
  ASSERT_TRUE(chunk->Write(1, 0, Bytes(head)).ok());
  ASSERT_TRUE(chunk->Write(1, at, Bytes(tail)).ok());
  std::string expected = head + std::string(at - head.size(), '\0') + tail;
  EXPECT_EQ(chunk->length(), at + 50);
  EXPECT_EQ(ReadAll(**Reopen()), expected);
}

TEST_F(ChunkFileTest, GapIsZeroEvenIfDiskHeldOldBytesPastLength) {
  auto chunk = CreateChunk();
  ASSERT_TRUE(chunk->Write(1, 0, Bytes(std::string(10, 'a'))).ok());
  {
    // Bytes past `length` (e.g. from a write that crashed before its header) must not leak.
    std::lock_guard lock(file_->mu);
    file_->bytes.resize(kChunkHeaderSize + 100, 'x');
  }
  ASSERT_TRUE(chunk->Write(1, 200, Bytes(std::string(1, 'b'))).ok());
  EXPECT_EQ(ReadAll(*chunk), std::string(10, 'a') + std::string(190, '\0') + "b");
}

TEST_F(ChunkFileTest, WriteAtLastByteOfChunkAndBeyond) {
  auto chunk = CreateChunk();
  ASSERT_TRUE(chunk->Write(1, kChunkSize - 1, Bytes(std::string("z"))).ok());
  EXPECT_EQ(chunk->length(), kChunkSize);
  auto last = chunk->Read(kChunkSize - 2, 10);
  ASSERT_TRUE(last.ok()) << last.status().ToString();
  EXPECT_EQ(*last, std::string("\0z", 2));
  EXPECT_EQ(chunk->Write(1, kChunkSize, Bytes(std::string("z"))).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(chunk->Write(1, -1, Bytes(std::string("z"))).code(), StatusCode::kInvalidArgument);
}

TEST_F(ChunkFileTest, ReadPastLengthIsShortOrEmpty) {
  auto chunk = CreateChunk();
  ASSERT_TRUE(chunk->Write(1, 0, Bytes(std::string(100, 'q'))).ok());
  EXPECT_EQ(chunk->Read(90, 50)->size(), 10u);
  EXPECT_EQ(chunk->Read(100, 50)->size(), 0u);
  EXPECT_EQ(chunk->Read(5000, 50)->size(), 0u);
}

TEST_F(ChunkFileTest, FlippedDataByteFailsOnlyItsBlock) {
  auto chunk = CreateChunk();
  std::string data = RandomBytes(3 * kBlock, 10);
  ASSERT_TRUE(chunk->Write(1, 0, Bytes(data)).ok());
  FlipDataByte(kBlock + 17);

  auto bad = chunk->Read(kBlock + 10, 20);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kCorruption);
  EXPECT_NE(bad.status().message().find("block 1"), std::string::npos) << bad.status().message();
  EXPECT_EQ(chunk->Read(0, kChunkSize).status().code(), StatusCode::kCorruption);

  auto before = chunk->Read(0, kBlock);
  ASSERT_TRUE(before.ok());
  EXPECT_EQ(*before, data.substr(0, kBlock));
  auto after = chunk->Read(2 * kBlock, kBlock);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(*after, data.substr(2 * kBlock));
}

TEST_F(ChunkFileTest, PartialWriteIntoCorruptBlockIsRefused) {
  auto chunk = CreateChunk();
  ASSERT_TRUE(chunk->Write(1, 0, Bytes(RandomBytes(kBlock, 11))).ok());
  FlipDataByte(5);
  EXPECT_EQ(chunk->Write(1, 100, Bytes(std::string("x"))).code(), StatusCode::kCorruption);
  // A write covering the whole block replaces the bad bytes.
  std::string fresh = RandomBytes(kBlock, 12);
  ASSERT_TRUE(chunk->Write(1, 0, Bytes(fresh)).ok());
  EXPECT_EQ(ReadAll(*chunk), fresh);
}

TEST_F(ChunkFileTest, CorruptHeaderIsRefusedAtOpen) {
  CreateChunk();
  {
    std::lock_guard lock(file_->mu);
    file_->bytes[30] ^= 0x01;  // inside the version field
  }
  auto reopened = Reopen();
  ASSERT_FALSE(reopened.ok());
  EXPECT_EQ(reopened.status().code(), StatusCode::kCorruption);
  EXPECT_NE(reopened.status().message().find("header checksum"), std::string::npos);
}

TEST_F(ChunkFileTest, BadMagicTruncationAndWrongIdAreRefused) {
  CreateChunk();
  EXPECT_EQ(ChunkFile::Open(std::make_unique<MemoryFileIo>(file_), kChunkId + 1).status().code(),
            StatusCode::kCorruption);
  {
    std::lock_guard lock(file_->mu);
    file_->bytes[0] = 'X';
  }
  auto bad_magic = Reopen();
  EXPECT_NE(bad_magic.status().message().find("magic"), std::string::npos);
  {
    std::lock_guard lock(file_->mu);
    file_->bytes.resize(100);
  }
  auto truncated = Reopen();
  EXPECT_EQ(truncated.status().code(), StatusCode::kCorruption);
  EXPECT_NE(truncated.status().message().find("truncated"), std::string::npos);
}

TEST_F(ChunkFileTest, FailedWriteLeavesPreviousContentReadable) {
  auto chunk = CreateChunk();
  std::string data = RandomBytes(kBlock, 13);
  ASSERT_TRUE(chunk->Write(1, 0, Bytes(data)).ok());
  file_->fail_writes = true;
  EXPECT_EQ(chunk->Write(2, kBlock, Bytes(data)).code(), StatusCode::kIoError);
  EXPECT_EQ(chunk->version(), 1);
  EXPECT_EQ(chunk->length(), kBlock);
  EXPECT_EQ(ReadAll(*chunk), data);
}

// Large whole-block writes go to disk through O_DIRECT, padded to the alignment; unaligned
// appends and overwrites then take the buffered path. Both must read back exactly, also after
// reopening the file, and the padding must never show.
TEST(ChunkFileOnDiskTest, DirectAndBufferedWritesMixAndReadBack) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/chunk";
  auto io = OpenPosixFile(path, OpenMode::kCreateExclusive);
  ASSERT_TRUE(io.ok()) << io.status().ToString();
  auto chunk = ChunkFile::Create(std::move(*io), kChunkId, 1);
  ASSERT_TRUE(chunk.ok()) << chunk.status().ToString();

  std::string expected = RandomBytes((2 << 20) + 100, 7);  // direct, with a padded tail
  ASSERT_TRUE((*chunk)->Write(1, 0, Bytes(expected)).ok());
  const std::string appended = RandomBytes(5000, 8);  // unaligned append: buffered
  ASSERT_TRUE((*chunk)->Write(1, static_cast<int64_t>(expected.size()), Bytes(appended)).ok());
  expected += appended;
  const std::string middle = RandomBytes(1 << 20, 9);  // whole blocks inside: direct again
  ASSERT_TRUE((*chunk)->Write(1, kBlock, Bytes(middle)).ok());
  expected.replace(kBlock, middle.size(), middle);
  ASSERT_TRUE((*chunk)->Sync().ok());

  auto read = (*chunk)->Read(0, kChunkSize);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_TRUE(*read == expected);
  chunk->reset();
  auto reopened_io = OpenPosixFile(path, OpenMode::kReadOnly);
  ASSERT_TRUE(reopened_io.ok());
  auto reopened = ChunkFile::Open(std::move(*reopened_io), kChunkId);
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  EXPECT_EQ((*reopened)->length(), static_cast<int64_t>(expected.size()));
  auto reread = (*reopened)->Read(0, kChunkSize);
  ASSERT_TRUE(reread.ok()) << reread.status().ToString();
  EXPECT_TRUE(*reread == expected);
}

}  // namespace
}  // namespace tessera
