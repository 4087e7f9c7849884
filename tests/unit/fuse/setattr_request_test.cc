#include "fuse/setattr_request.h"

#include <fuse_lowlevel.h>
#include <gtest/gtest.h>

namespace tessera::fuse {
namespace {

struct stat MakeStat() {
  struct stat st {};
  st.st_mode = S_IFREG | 0751;
  st.st_uid = 7;
  st.st_gid = 8;
  st.st_size = 12345;
  st.st_atim = {10, 20};
  st.st_mtim = {30, 40};
  return st;
}

TEST(SetAttrRequestTest, SetsOnlyNamedFields) {
  const rpc::SetAttrRequest request =
      SetAttrRequestFromFuse(MakeStat(), FUSE_SET_ATTR_MODE | FUSE_SET_ATTR_SIZE);
  ASSERT_TRUE(request.__isset.mode);
  EXPECT_EQ(request.mode, 0751);
  ASSERT_TRUE(request.__isset.size);
  EXPECT_EQ(request.size, 12345);
  EXPECT_FALSE(request.__isset.uid);
  EXPECT_FALSE(request.__isset.gid);
  EXPECT_FALSE(request.__isset.atime_ns);
  EXPECT_FALSE(request.__isset.mtime_ns);
  EXPECT_FALSE(request.atime_now);
  EXPECT_FALSE(request.mtime_now);
  EXPECT_FALSE(IsEmptySetAttrRequest(request));
}

TEST(SetAttrRequestTest, OwnerAndExplicitTimes) {
  const rpc::SetAttrRequest request =
      SetAttrRequestFromFuse(MakeStat(), FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID |
                                             FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_MTIME);
  EXPECT_EQ(request.uid, 7);
  EXPECT_EQ(request.gid, 8);
  ASSERT_TRUE(request.__isset.atime_ns);
  EXPECT_EQ(request.atime_ns, 10'000'000'020);
  ASSERT_TRUE(request.__isset.mtime_ns);
  EXPECT_EQ(request.mtime_ns, 30'000'000'040);
}

TEST(SetAttrRequestTest, NowUsesMasterClock) {
  // The kernel sends ATIME together with ATIME_NOW; the explicit time must not be used.
  const rpc::SetAttrRequest request =
      SetAttrRequestFromFuse(MakeStat(), FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_ATIME_NOW |
                                             FUSE_SET_ATTR_MTIME | FUSE_SET_ATTR_MTIME_NOW);
  EXPECT_TRUE(request.atime_now);
  EXPECT_TRUE(request.mtime_now);
  EXPECT_FALSE(request.__isset.atime_ns);
  EXPECT_FALSE(request.__isset.mtime_ns);
}

TEST(SetAttrRequestTest, CtimeOnlyIsEmpty) {
  EXPECT_TRUE(IsEmptySetAttrRequest(SetAttrRequestFromFuse(MakeStat(), FUSE_SET_ATTR_CTIME)));
  EXPECT_TRUE(IsEmptySetAttrRequest(SetAttrRequestFromFuse(MakeStat(), 0)));
}

}  // namespace
}  // namespace tessera::fuse
