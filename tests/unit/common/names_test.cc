#include "common/names.h"

#include <gtest/gtest.h>

#include <string>

namespace tessera {
namespace {

TEST(ValidateNameTest, AcceptsOrdinaryNames) {
  EXPECT_TRUE(ValidateName("a").ok());
  EXPECT_TRUE(ValidateName(".hidden").ok());
  EXPECT_TRUE(ValidateName(std::string(255, 'x')).ok());
}

TEST(ValidateNameTest, RejectsBadNames) {
  EXPECT_EQ(ValidateName("").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateName(".").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateName("..").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateName("a/b").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateName(std::string("a\0b", 3)).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateName(std::string(256, 'x')).code(), StatusCode::kNameTooLong);
}

}  // namespace
}  // namespace tessera
