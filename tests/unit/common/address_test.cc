#include "common/address.h"

#include <gtest/gtest.h>

namespace tessera {
namespace {

TEST(ParseHostPortTest, ParsesValidAddress) {
  Result<HostPort> hp = ParseHostPort("127.0.0.1:9400");
  ASSERT_TRUE(hp.ok());
  EXPECT_EQ(hp->host, "127.0.0.1");
  EXPECT_EQ(hp->port, 9400);
  EXPECT_EQ(hp->ToString(), "127.0.0.1:9400");
}

TEST(ParseHostPortTest, RejectsMalformedAddresses) {
  for (const char* bad : {"", "host", ":1", "host:", "host:0", "host:65536", "host:12x", "h:-1"}) {
    EXPECT_FALSE(ParseHostPort(bad).ok()) << bad;
  }
}

TEST(ParseHostPortListTest, ParsesListAndRejectsEmptyItems) {
  Result<std::vector<HostPort>> list = ParseHostPortList("a:1,b:2,c:3");
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 3u);
  EXPECT_EQ((*list)[2].host, "c");
  EXPECT_FALSE(ParseHostPortList("a:1,,b:2").ok());
  EXPECT_FALSE(ParseHostPortList("a:1,").ok());
}

}  // namespace
}  // namespace tessera
