#include "fuse/errno_mapping.h"

#include <gtest/gtest.h>

#include <cerrno>

namespace tessera::fuse {
namespace {

struct Case {
  StatusCode code;
  int expected_errno;
};

class ErrnoMappingTest : public testing::TestWithParam<Case> {};

TEST_P(ErrnoMappingTest, MapsCode) {
  EXPECT_EQ(ErrnoFromStatus(Status(GetParam().code, "x")), GetParam().expected_errno);
}

INSTANTIATE_TEST_SUITE_P(
    AllCodes, ErrnoMappingTest,
    testing::Values(Case{StatusCode::kNotFound, ENOENT}, Case{StatusCode::kAlreadyExists, EEXIST},
                    Case{StatusCode::kNotDirectory, ENOTDIR},
                    Case{StatusCode::kIsDirectory, EISDIR}, Case{StatusCode::kNotEmpty, ENOTEMPTY},
                    Case{StatusCode::kInvalidArgument, EINVAL},
                    Case{StatusCode::kNameTooLong, ENAMETOOLONG},
                    Case{StatusCode::kNoSpace, ENOSPC}, Case{StatusCode::kPermissionDenied, EACCES},
                    Case{StatusCode::kUnavailable, EIO}, Case{StatusCode::kIoError, EIO},
                    Case{StatusCode::kCorruption, EIO}, Case{StatusCode::kStaleVersion, EIO},
                    Case{StatusCode::kInternal, EIO}, Case{StatusCode::kNotLeader, EIO},
                    Case{StatusCode::kNoData, ENODATA}, Case{StatusCode::kNotSupported, EOPNOTSUPP},
                    Case{StatusCode::kNotPermitted, EPERM}));

TEST(ErrnoMappingTest, OkStatusNeverBecomesSuccess) {
  EXPECT_EQ(ErrnoFromStatus(Status::Ok()), EIO);
}

}  // namespace
}  // namespace tessera::fuse
