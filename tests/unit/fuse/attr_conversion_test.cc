#include "fuse/attr_conversion.h"

#include <gtest/gtest.h>

namespace tessera::fuse {
namespace {

rpc::Attr MakeAttr(rpc::FileType::type type) {
  rpc::Attr attr;
  attr.inode = 42;
  attr.type = type;
  attr.mode = 0644;
  attr.uid = 1000;
  attr.gid = 100;
  attr.size = 1000;
  attr.atime_ns = 1'700'000'000'123'456'789;
  attr.mtime_ns = 1'700'000'001'000'000'001;
  attr.ctime_ns = 5;
  attr.nlink = 1;
  return attr;
}

TEST(AttrConversionTest, RegularFile) {
  const struct stat st = StatFromAttr(MakeAttr(rpc::FileType::REGULAR));
  EXPECT_EQ(st.st_ino, 42u);
  EXPECT_EQ(st.st_mode, S_IFREG | 0644);
  EXPECT_EQ(st.st_uid, 1000u);
  EXPECT_EQ(st.st_gid, 100u);
  EXPECT_EQ(st.st_size, 1000);
  EXPECT_EQ(st.st_blocks, 2);  // 1000 bytes need two 512-byte units
  EXPECT_EQ(st.st_blksize, 1 << 20);
  EXPECT_EQ(st.st_nlink, 1u);
  EXPECT_EQ(st.st_atim.tv_sec, 1'700'000'000);
  EXPECT_EQ(st.st_atim.tv_nsec, 123'456'789);
  EXPECT_EQ(st.st_mtim.tv_sec, 1'700'000'001);
  EXPECT_EQ(st.st_mtim.tv_nsec, 1);
  EXPECT_EQ(st.st_ctim.tv_sec, 0);
  EXPECT_EQ(st.st_ctim.tv_nsec, 5);
}

TEST(AttrConversionTest, DirectoryAndSymlinkTypeBits) {
  rpc::Attr dir = MakeAttr(rpc::FileType::DIRECTORY);
  dir.mode = 01777;
  EXPECT_EQ(StatFromAttr(dir).st_mode, S_IFDIR | 01777);
  EXPECT_EQ(StatFromAttr(MakeAttr(rpc::FileType::SYMLINK)).st_mode, S_IFLNK | 0644);
}

TEST(AttrConversionTest, ModeKeepsOnlyPermissionBits) {
  rpc::Attr attr = MakeAttr(rpc::FileType::REGULAR);
  attr.mode = S_IFDIR | 04755;  // a type smuggled into mode must not change the file type
  EXPECT_EQ(StatFromAttr(attr).st_mode, S_IFREG | 04755);
}

TEST(AttrConversionTest, TimesBeforeEpochHaveNormalizedNanoseconds) {
  rpc::Attr attr = MakeAttr(rpc::FileType::REGULAR);
  attr.mtime_ns = -1;
  const struct stat st = StatFromAttr(attr);
  EXPECT_EQ(st.st_mtim.tv_sec, -1);
  EXPECT_EQ(st.st_mtim.tv_nsec, 999'999'999);
}

TEST(AttrConversionTest, EmptyFileHasNoBlocks) {
  rpc::Attr attr = MakeAttr(rpc::FileType::REGULAR);
  attr.size = 0;
  const struct stat st = StatFromAttr(attr);
  EXPECT_EQ(st.st_blocks, 0);
}

// A file unlinked while open (master/ops/unlinked_inode.cc): fstat on its descriptor shows 0.
TEST(AttrConversionTest, UnlinkedFileShowsNoLink) {
  rpc::Attr attr = MakeAttr(rpc::FileType::REGULAR);
  attr.nlink = 0;
  EXPECT_EQ(StatFromAttr(attr).st_nlink, 0u);
}

}  // namespace
}  // namespace tessera::fuse
