#include "master/records.h"

#include <gtest/gtest.h>

#include "master/keys.h"
#include "master_test_util.h"

namespace tessera::master::testing {
namespace {

TEST(RecordsTest, InodeRoundTrips) {
  InodeRecord record;
  record.inode = 7;
  record.type = rpc::FileType::REGULAR;
  record.mode = 0644;
  record.size = 12345;
  record.nlink = 1;
  record.goal = 3;
  Result<InodeRecord> decoded = DecodeInode(EncodeInode(record));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, record);
}

TEST(RecordsTest, GarbageIsCorruption) {
  EXPECT_EQ(DecodeInode("not thrift at all").status().code(), StatusCode::kCorruption);
  EXPECT_EQ(DecodeCommand(std::string(3, '\xff')).status().code(), StatusCode::kCorruption);
  ChunkRecord chunk;
  chunk.chunk_id = 1;
  chunk.version = 1;
  EXPECT_EQ(DecodeChunk(EncodeChunk(chunk) + "x").status().code(), StatusCode::kCorruption);
  std::string truncated = EncodeChunk(chunk);
  truncated.pop_back();
  truncated.pop_back();
  EXPECT_EQ(DecodeChunk(truncated).status().code(), StatusCode::kCorruption);
}

TEST(RecordsTest, ImpossibleValuesAreCorruption) {
  InodeRecord record;
  record.inode = 7;
  record.type = 99;
  EXPECT_EQ(DecodeInode(EncodeInode(record)).status().code(), StatusCode::kCorruption);
  record.type = rpc::FileType::DIRECTORY;
  record.inode = -1;
  EXPECT_EQ(DecodeInode(EncodeInode(record)).status().code(), StatusCode::kCorruption);
}

TEST(RecordsTest, CommandNeedsExactlyOneMember) {
  EXPECT_EQ(DecodeCommand(EncodeCommand(MetaCommand())).status().code(), StatusCode::kCorruption);
  MetaCommand two = Mkdir(1, "a");
  two.__set_unlink(master_state::UnlinkCommand());
  EXPECT_EQ(DecodeCommand(EncodeCommand(two)).status().code(), StatusCode::kCorruption);
  Result<MetaCommand> one = DecodeCommand(EncodeCommand(Mkdir(1, "a")));
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(CommandName(*one), "mkdir");
  EXPECT_EQ(one->mkdir.name, "a");
}

TEST(KeysTest, OrderFollowsNumbersAndNames) {
  EXPECT_LT(InodeKey(255), InodeKey(256));
  EXPECT_LT(ChunkKey(5, 1), ChunkKey(5, 256));
  EXPECT_LT(ChunkKey(5, INT64_MAX), ChunkKey(6, 0));
  EXPECT_LT(DentryKey(1, "a"), DentryKey(1, "b"));
  EXPECT_LT(DentryKey(1, "zzz"), DentryKey(2, "a"));
  EXPECT_EQ(ReadBigEndian64(InodeKey(0x0102030405060708).substr(1)), 0x0102030405060708u);
}

}  // namespace
}  // namespace tessera::master::testing
