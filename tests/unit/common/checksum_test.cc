#include "common/checksum.h"

#include <gtest/gtest.h>

#include <string>

namespace tessera {
namespace {

TEST(ChecksumTest, DetectsAFlippedBit) {
  std::string data(65536, 'a');
  uint64_t original = Xxh3Checksum(data.data(), data.size());
  EXPECT_EQ(original, Xxh3Checksum(data.data(), data.size()));
  data[4242] ^= 0x01;
  EXPECT_NE(original, Xxh3Checksum(data.data(), data.size()));
}

}  // namespace
}  // namespace tessera
