#include "fuse/open_access.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

namespace tessera::fuse {
namespace {

TEST(AccessMaskForOpenTest, FollowsTheAccessMode) {
  EXPECT_EQ(AccessMaskForOpen(O_RDONLY), R_OK);
  EXPECT_EQ(AccessMaskForOpen(O_WRONLY), W_OK);
  EXPECT_EQ(AccessMaskForOpen(O_RDWR), R_OK | W_OK);
  EXPECT_EQ(AccessMaskForOpen(O_WRONLY | O_APPEND | O_CREAT), W_OK);
}

TEST(AccessMaskForOpenTest, TruncateNeedsWriteEvenForAReadOnlyOpen) {
  EXPECT_EQ(AccessMaskForOpen(O_RDONLY | O_TRUNC), R_OK | W_OK);
  EXPECT_EQ(AccessMaskForOpen(O_WRONLY | O_TRUNC), W_OK);
}

}  // namespace
}  // namespace tessera::fuse
