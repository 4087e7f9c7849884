#include "master/master_options.h"

#include <gtest/gtest.h>

#include <vector>

namespace tessera::master {
namespace {

Result<MasterOptions> Parse(std::vector<const char*> args) {
  args.insert(args.begin(), "tessera-master");
  return ParseMasterOptions(static_cast<int>(args.size()), args.data());
}

TEST(MasterOptionsTest, ParsesTheContractFlags) {
  Result<MasterOptions> options =
      Parse({"--listen", "127.0.0.1:9400", "--data-dir", "/tmp/m", "--default-goal", "2",
             "--chunkserver-timeout-ms", "3000", "--log-level", "debug"});
  ASSERT_TRUE(options.ok()) << options.status().ToString();
  EXPECT_EQ(options->listen.port, 9400);
  EXPECT_EQ(options->data_dir, "/tmp/m");
  EXPECT_EQ(options->default_goal, 2);
  EXPECT_EQ(options->chunkserver_timeout_ms, 3000);
  EXPECT_EQ(options->log_level, LogLevel::kDebug);
}

TEST(MasterOptionsTest, DefaultsFollowTheContract) {
  Result<MasterOptions> options = Parse({"--listen", "127.0.0.1:9400", "--data-dir", "d"});
  ASSERT_TRUE(options.ok());
  EXPECT_EQ(options->default_goal, 3);
  EXPECT_EQ(options->chunkserver_timeout_ms, 5000);
  EXPECT_EQ(options->log_level, LogLevel::kInfo);
}

TEST(MasterOptionsTest, RejectsBadFlags) {
  EXPECT_FALSE(Parse({"--data-dir", "d"}).ok());
  EXPECT_FALSE(Parse({"--listen", "127.0.0.1:9400"}).ok());
  EXPECT_FALSE(Parse({"--listen", "nonsense", "--data-dir", "d"}).ok());
  EXPECT_FALSE(
      Parse({"--listen", "127.0.0.1:9400", "--data-dir", "d", "--default-goal", "0"}).ok());
  EXPECT_FALSE(
      Parse({"--listen", "127.0.0.1:9400", "--data-dir", "d", "--default-goal", "x"}).ok());
  EXPECT_FALSE(
      Parse({"--listen", "127.0.0.1:9400", "--data-dir", "d", "--chunkserver-timeout-ms", "-1"})
          .ok());
  EXPECT_FALSE(
      Parse({"--listen", "127.0.0.1:9400", "--data-dir", "d", "--log-level", "loud"}).ok());
  EXPECT_FALSE(Parse({"--listen", "127.0.0.1:9400", "--data-dir", "d", "--unknown"}).ok());
  EXPECT_FALSE(Parse({"--listen", "127.0.0.1:9400", "--data-dir", "d", "extra"}).ok());
}

}  // namespace
}  // namespace tessera::master
