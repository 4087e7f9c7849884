#include "common/status.h"

#include <gtest/gtest.h>

#include "common/rpc_errors.h"

namespace tessera {
namespace {

Result<int> Half(int x) {
  if (x % 2 != 0) return Status::InvalidArgument("odd");
  return x / 2;
}

Result<int> Quarter(int x) {
  ASSIGN_OR_RETURN(int half, Half(x));
  return Half(half);
}

TEST(StatusTest, OkHasNoMessage) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "OK");
}

TEST(StatusTest, ErrorCarriesCodeAndMessage) {
  Status s = Status::NotFound("no entry 'x'");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.ToString(), "NOT_FOUND: no entry 'x'");
}

TEST(ResultTest, AssignOrReturnPropagatesErrors) {
  EXPECT_EQ(*Quarter(8), 2);
  Result<int> r = Quarter(6);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
}

// The codes added after kInternal (16, 24, 25) cross the RPC edge unchanged; a number that names no
// code (a newer peer) arrives as kInternal rather than as a code nobody handles.
TEST(StatusTest, LaterCodesSurviveTheRpcEdge) {
  for (Status status : {Status::NoData("no xattr"), Status::NotSupported("system.*"),
                        Status::NotPermitted("trusted.*")}) {
    EXPECT_TRUE(IsKnownStatusCode(static_cast<int>(status.code())));
    EXPECT_EQ(FromRpcError(ToRpcError(status)), status);
  }
  EXPECT_EQ(Status::NoData("x").ToString(), "NO_DATA: x");
  EXPECT_EQ(FromRpcErrorCode(static_cast<rpc::ErrorCode::type>(20)), StatusCode::kInternal);
  EXPECT_EQ(FromRpcErrorCode(static_cast<rpc::ErrorCode::type>(26)), StatusCode::kInternal);
  EXPECT_FALSE(IsKnownStatusCode(-1));
}

}  // namespace
}  // namespace tessera
