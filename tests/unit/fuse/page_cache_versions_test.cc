#include "fuse/page_cache_versions.h"

#include <gtest/gtest.h>

namespace tessera::fuse {
namespace {

rpc::Attr Version(int64_t inode, int64_t size, int64_t mtime, int64_t ctime) {
  rpc::Attr attr;
  attr.inode = inode;
  attr.size = size;
  attr.mtime_ns = mtime;
  attr.ctime_ns = ctime;
  attr.atime_ns = 1;
  return attr;
}

TEST(PageCacheVersionsTest, FirstOpenDropsAndAnUnchangedReopenKeeps) {
  PageCacheVersions versions;
  EXPECT_FALSE(versions.KeepOnOpen(7, Version(7, 10, 100, 100)));
  EXPECT_TRUE(versions.KeepOnOpen(7, Version(7, 10, 100, 100)));
  EXPECT_TRUE(versions.KeepOnOpen(7, Version(7, 10, 100, 100)));
}

TEST(PageCacheVersionsTest, AnyChangeOfSizeMtimeOrCtimeDropsOnce) {
  PageCacheVersions versions;
  versions.KeepOnOpen(7, Version(7, 10, 100, 100));
  EXPECT_FALSE(versions.KeepOnOpen(7, Version(7, 11, 100, 100)));  // grown
  EXPECT_TRUE(versions.KeepOnOpen(7, Version(7, 11, 100, 100)));
  EXPECT_FALSE(versions.KeepOnOpen(7, Version(7, 11, 200, 200)));  // rewritten in place
  // utimensat put the old mtime back: ctime still tells.
  EXPECT_FALSE(versions.KeepOnOpen(7, Version(7, 11, 100, 300)));
  EXPECT_FALSE(versions.KeepOnOpen(7, Version(7, 0, 100, 400)));  // truncated
}

TEST(PageCacheVersionsTest, AtimeAloneKeepsTheCache) {
  PageCacheVersions versions;
  rpc::Attr attr = Version(7, 10, 100, 100);
  versions.KeepOnOpen(7, attr);
  attr.atime_ns = 999;
  EXPECT_TRUE(versions.KeepOnOpen(7, attr));
}

TEST(PageCacheVersionsTest, InodesAreIndependent) {
  PageCacheVersions versions;
  versions.KeepOnOpen(7, Version(7, 10, 100, 100));
  EXPECT_FALSE(versions.KeepOnOpen(8, Version(8, 10, 100, 100)));
  EXPECT_TRUE(versions.KeepOnOpen(7, Version(7, 10, 100, 100)));
  EXPECT_EQ(versions.size(), 2u);
}

}  // namespace
}  // namespace tessera::fuse
