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

TEST(MasterOptionsTest, AutoBalanceIsOffByDefaultAndValidated) {
  Result<MasterOptions> defaults = Parse({"--listen", "127.0.0.1:9400", "--data-dir", "d"});
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->auto_balance_threshold_pct, 0);
  Result<MasterOptions> on = Parse({"--listen", "127.0.0.1:9400", "--data-dir", "d",
                                    "--auto-balance-threshold", "7.5", "--auto-balance-mbps", "2"});
  ASSERT_TRUE(on.ok()) << on.status().ToString();
  EXPECT_EQ(on->auto_balance_threshold_pct, 7.5);
  EXPECT_EQ(on->auto_balance_mbps, 2);
  for (const char* bad : {"-1", "51", "nan"}) {
    EXPECT_FALSE(
        Parse({"--listen", "127.0.0.1:9400", "--data-dir", "d", "--auto-balance-threshold", bad})
            .ok())
        << bad;
  }
  for (const char* bad : {"0", "-3", "20000", "nan"}) {
    EXPECT_FALSE(
        Parse({"--listen", "127.0.0.1:9400", "--data-dir", "d", "--auto-balance-mbps", bad}).ok())
        << bad;
  }
}

TEST(MasterOptionsTest, ParsesTheRaftGroup) {
  Result<MasterOptions> options =
      Parse({"--listen", "127.0.0.1:9401", "--data-dir", "d", "--id", "2", "--peers",
             "1=127.0.0.1:9400,2=127.0.0.1:9401,3=127.0.0.1:9402", "--election-timeout-ms", "800"});
  ASSERT_TRUE(options.ok()) << options.status().ToString();
  EXPECT_EQ(options->id, 2u);
  ASSERT_EQ(options->peers.size(), 3u);
  EXPECT_EQ(options->peers[2].id, 3u);
  EXPECT_EQ(options->peers[2].address.port, 9402);
  EXPECT_EQ(options->advertise.port, 9401);
  EXPECT_EQ(options->election_timeout_ms, 800);
  EXPECT_FALSE(options->join);
}

TEST(MasterOptionsTest, RejectsBadRaftFlags) {
  const std::vector<std::vector<const char*>> bad = {
      {"--id", "0"},
      {"--id", "-3"},
      {"--peers", "1=127.0.0.1:9400,1=127.0.0.1:9401"},             // repeated id
      {"--peers", "1=127.0.0.1:9400,2=127.0.0.1:9400"},             // repeated address
      {"--peers", "2=127.0.0.1:9401"},                              // this master missing
      {"--peers", "1=127.0.0.1:9999"},                              // listed at another address
      {"--peers", "x=127.0.0.1:9400"},
      {"--peers", "1=nonsense"},
      {"--peers", ""},
      {"--peers", "1=127.0.0.1:9400", "--join"},
      {"--heartbeat-ms", "10"},                                     // below the tick
      {"--election-timeout-ms", "150"},                             // < 2 heartbeats
      {"--raft-tick-ms", "0"},
      {"--snapshot-entries", "0"},
  };
  for (const auto& extra : bad) {
    std::vector<const char*> args = {"--listen", "127.0.0.1:9400", "--data-dir", "d"};
    args.insert(args.end(), extra.begin(), extra.end());
    Result<MasterOptions> options = Parse(args);
    EXPECT_FALSE(options.ok()) << extra[0] << " " << (extra.size() > 1 ? extra[1] : "");
    if (!options.ok()) {
      EXPECT_EQ(options.status().code(), StatusCode::kInvalidArgument);
    }
  }
}

}  // namespace
}  // namespace tessera::master

namespace tessera::master {
namespace {

TEST(MasterOptionsTest, AdminPortIsOffByDefaultAndRangeChecked) {
  Result<MasterOptions> off = Parse({"--listen", "127.0.0.1:9400", "--data-dir", "d"});
  ASSERT_TRUE(off.ok());
  EXPECT_EQ(off->admin_port, 0);
  Result<MasterOptions> on =
      Parse({"--listen", "127.0.0.1:9400", "--data-dir", "d", "--admin-port", "9480"});
  ASSERT_TRUE(on.ok()) << on.status().ToString();
  EXPECT_EQ(on->admin_port, 9480);
  for (const char* bad : {"-1", "65536", "http"}) {
    Result<MasterOptions> rejected =
        Parse({"--listen", "127.0.0.1:9400", "--data-dir", "d", "--admin-port", bad});
    EXPECT_FALSE(rejected.ok()) << bad;
  }
}

}  // namespace
}  // namespace tessera::master
