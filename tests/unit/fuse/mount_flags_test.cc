#include "fuse/mount_flags.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tessera::fuse {
namespace {

Result<MountFlags> Parse(std::vector<std::string> args) {
  args.insert(args.begin(), "tessera-mount");
  std::vector<const char*> argv;
  for (const std::string& arg : args) argv.push_back(arg.c_str());
  return ParseMountFlags(static_cast<int>(argv.size()), argv.data());
}

TEST(MountFlagsTest, Defaults) {
  Result<MountFlags> flags = Parse({"--masters", "127.0.0.1:9400", "/mnt/t"});
  ASSERT_TRUE(flags.ok()) << flags.status().ToString();
  ASSERT_EQ(flags->masters.size(), 1u);
  EXPECT_EQ(flags->masters[0].ToString(), "127.0.0.1:9400");
  EXPECT_EQ(flags->mountpoint, "/mnt/t");
  EXPECT_FALSE(flags->foreground);
  EXPECT_TRUE(flags->fuse_options.empty());
  EXPECT_DOUBLE_EQ(flags->attr_timeout_s, 1.0);
  EXPECT_DOUBLE_EQ(flags->entry_timeout_s, 1.0);
  EXPECT_EQ(flags->log_level, LogLevel::kInfo);
  EXPECT_EQ(flags->atime, AtimeMode::kRelatime);
}

TEST(MountFlagsTest, AtimeModes) {
  for (const auto& [text, mode] : {std::pair{"relatime", AtimeMode::kRelatime},
                                   std::pair{"strictatime", AtimeMode::kStrictatime},
                                   std::pair{"noatime", AtimeMode::kNoatime}}) {
    Result<MountFlags> flags = Parse({"--masters", "127.0.0.1:9400", "--atime", text, "/mnt/t"});
    ASSERT_TRUE(flags.ok()) << flags.status().ToString();
    EXPECT_EQ(flags->atime, mode) << text;
  }
  Result<MountFlags> bad = Parse({"--masters", "127.0.0.1:9400", "--atime", "atime", "/mnt/t"});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("--atime"), std::string::npos);
  EXPECT_NE(MountUsage().find("noatime"), std::string::npos);
  EXPECT_NE(MountUsage().find("strictatime"), std::string::npos);
}

TEST(MountFlagsTest, AllFlags) {
  Result<MountFlags> flags = Parse({"--masters=127.0.0.1:1,127.0.0.1:2", "-f", "-o",
                                    "allow_other,fsname=x", "-oro", "--attr-timeout-s", "0.5",
                                    "--entry-timeout-s", "0", "--log-level", "debug", "/mnt/t"});
  ASSERT_TRUE(flags.ok()) << flags.status().ToString();
  EXPECT_EQ(flags->masters.size(), 2u);
  EXPECT_TRUE(flags->foreground);
  EXPECT_EQ(flags->fuse_options, (std::vector<std::string>{"allow_other", "fsname=x", "ro"}));
  EXPECT_DOUBLE_EQ(flags->attr_timeout_s, 0.5);
  EXPECT_DOUBLE_EQ(flags->entry_timeout_s, 0.0);
  EXPECT_EQ(flags->log_level, LogLevel::kDebug);
}

TEST(MountFlagsTest, MountHelperForm) {
  // mount -t fuse.tessera 127.0.0.1:9400 /mnt/t -o allow_other runs this command line.
  Result<MountFlags> flags = Parse({"127.0.0.1:9400", "/mnt/t", "-o", "rw,allow_other"});
  ASSERT_TRUE(flags.ok()) << flags.status().ToString();
  EXPECT_EQ(flags->masters[0].port, 9400);
  EXPECT_EQ(flags->mountpoint, "/mnt/t");
  EXPECT_EQ(flags->fuse_options, (std::vector<std::string>{"rw", "allow_other"}));
}

TEST(MountFlagsTest, Help) {
  Result<MountFlags> flags = Parse({"--help"});
  ASSERT_TRUE(flags.ok());
  EXPECT_TRUE(flags->show_help);
  EXPECT_NE(MountUsage().find("--masters"), std::string::npos);
}

TEST(MountFlagsTest, Rejections) {
  const std::vector<std::vector<std::string>> bad = {
      {"/mnt/t"},                                           // no masters
      {"--masters", "127.0.0.1:9400"},                      // no mountpoint
      {"--masters", "127.0.0.1:9400", "/a", "/b"},          // two mountpoints
      {"--masters", "127.0.0.1:9400", ""},                  // empty mountpoint
      {"--masters", "nohost", "/mnt/t"},                    // no port
      {"--masters", "127.0.0.1:70000", "/mnt/t"},           // port out of range
      {"--masters", "127.0.0.1:1,,127.0.0.1:2", "/mnt/t"},  // empty item
      {"--masters", "127.0.0.1:1", "--attr-timeout-s", "-1", "/mnt/t"},
      {"--masters", "127.0.0.1:1", "--entry-timeout-s", "nan", "/mnt/t"},
      {"--masters", "127.0.0.1:1", "--entry-timeout-s", "abc", "/mnt/t"},
      {"--masters", "127.0.0.1:1", "--attr-timeout-s", "1e9", "/mnt/t"},
      {"--masters", "127.0.0.1:1", "--log-level", "loud", "/mnt/t"},
      {"--masters", "127.0.0.1:1", "--no-such-flag", "/mnt/t"},
      {"--masters", "127.0.0.1:1", "-o"},  // -o without a value
      {"a", "b", "c"},                     // too many positionals
  };
  for (const auto& args : bad) {
    Result<MountFlags> flags = Parse(args);
    std::string joined;
    for (const auto& arg : args) joined += arg + " ";
    ASSERT_FALSE(flags.ok()) << "accepted: " << joined;
    EXPECT_EQ(flags.status().code(), StatusCode::kInvalidArgument) << joined;
    EXPECT_FALSE(flags.status().message().empty()) << joined;
  }
}

}  // namespace
}  // namespace tessera::fuse

namespace tessera::fuse {
namespace {

TEST(MountFlagsTest, AdminPort) {
  Result<MountFlags> off = Parse({"--masters", "127.0.0.1:9400", "/mnt/t"});
  ASSERT_TRUE(off.ok());
  EXPECT_EQ(off->admin_port, 0);
  Result<MountFlags> on = Parse({"--masters", "127.0.0.1:9400", "--admin-port", "9481", "/mnt/t"});
  ASSERT_TRUE(on.ok()) << on.status().ToString();
  EXPECT_EQ(on->admin_port, 9481);
  for (const char* bad : {"-1", "70000", "x"}) {
    Result<MountFlags> rejected =
        Parse({"--masters", "127.0.0.1:9400", "--admin-port", bad, "/mnt/t"});
    ASSERT_FALSE(rejected.ok()) << bad;
    EXPECT_NE(rejected.status().message().find("admin-port"), std::string::npos)
        << rejected.status().message();
  }
}

}  // namespace
}  // namespace tessera::fuse

namespace tessera::fuse {
namespace {

// What mount(8) runs for the fstab line
//   127.0.0.1:1,127.0.0.1:2 /mnt/t fuse.tessera _netdev,nofail,allow_other,attr_timeout=3,... 0 0
TEST(MountFlagsTest, FstabOptionsAreSortedOut) {
  Result<MountFlags> flags =
      Parse({"127.0.0.1:1,127.0.0.1:2", "/mnt/t", "-v", "-n", "-o",
             "rw,allow_other,attr_timeout=3,entry_timeout=0.5,noatime,admin_port=9481,"
             "log_level=debug,_netdev,nofail,defaults,noauto,x-systemd.automount,comment=x"});
  ASSERT_TRUE(flags.ok()) << flags.status().ToString();
  EXPECT_EQ(flags->masters.size(), 2u);
  EXPECT_TRUE(flags->verbose);
  EXPECT_EQ(flags->fuse_options, (std::vector<std::string>{"rw", "allow_other"}));
  EXPECT_DOUBLE_EQ(flags->attr_timeout_s, 3.0);
  EXPECT_DOUBLE_EQ(flags->entry_timeout_s, 0.5);
  EXPECT_EQ(flags->atime, AtimeMode::kNoatime);
  EXPECT_EQ(flags->admin_port, 9481);
  EXPECT_EQ(flags->log_level, LogLevel::kDebug);

  Result<MountFlags> named = Parse({"127.0.0.1:1", "/mnt/t", "-o", "atime=strictatime"});
  ASSERT_TRUE(named.ok()) << named.status().ToString();
  EXPECT_EQ(named->atime, AtimeMode::kStrictatime);
  EXPECT_TRUE(named->fuse_options.empty());
}

TEST(MountFlagsTest, BadFstabOptionsAreRefusedByName) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> bad = {
      {{"-o", "attr_timeout=-1"}, "attr_timeout"},
      {{"-o", "attr_timeout=1x"}, "attr_timeout"},
      {{"-o", "entry_timeout="}, "entry_timeout"},
      {{"-o", "atime=sometimes"}, "atime"},
      {{"-o", "admin_port=70000"}, "admin_port"},
      {{"-o", "log_level=loud"}, "log_level"},
      // One setting given twice, or by a flag and an -o item: refused, not silently resolved.
      {{"-o", "noatime,relatime"}, "already set"},
      {{"--atime", "noatime", "-o", "strictatime"}, "--atime"},
      {{"--attr-timeout-s", "2", "-o", "attr_timeout=3"}, "--attr-timeout-s"},
  };
  for (const auto& [extra, mentioned] : bad) {
    std::vector<std::string> args = {"--masters", "127.0.0.1:1"};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back("/mnt/t");
    Result<MountFlags> flags = Parse(args);
    ASSERT_FALSE(flags.ok()) << "accepted " << extra.back();
    EXPECT_EQ(flags.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(flags.status().message().find(mentioned), std::string::npos)
        << flags.status().message();
  }
}

}  // namespace
}  // namespace tessera::fuse
