#include "fuse/atime_rule.h"

#include <gtest/gtest.h>

namespace tessera::fuse {
namespace {

constexpr int64_t kSecond = 1'000'000'000;
constexpr int64_t kNow = 1'800'000'000 * kSecond;

rpc::Attr Times(int64_t atime, int64_t mtime, int64_t ctime) {
  rpc::Attr attr;
  attr.atime_ns = atime;
  attr.mtime_ns = mtime;
  attr.ctime_ns = ctime;
  return attr;
}

TEST(AtimeRuleTest, RelatimeUpdatesWhenTheFileChangedSinceItsLastRead) {
  // Written after its last read (a new file has atime == mtime == ctime).
  EXPECT_TRUE(AtimeUpdateDue(AtimeMode::kRelatime, Times(100, 100, 100), kNow));
  EXPECT_TRUE(AtimeUpdateDue(AtimeMode::kRelatime, Times(100, 200, 200), kNow));
  // chmod after the last read moves only ctime.
  EXPECT_TRUE(AtimeUpdateDue(AtimeMode::kRelatime, Times(kNow - 10, 5, kNow - 5), kNow));
}

TEST(AtimeRuleTest, RelatimeSkipsRereadsOfAnUnchangedFileForADay) {
  const rpc::Attr read_once = Times(kNow - kSecond, kNow - 2 * kSecond, kNow - 2 * kSecond);
  EXPECT_FALSE(AtimeUpdateDue(AtimeMode::kRelatime, read_once, kNow));
  const rpc::Attr read_long_ago = Times(kNow - kRelatimeMaxAgeNs, 1, 1);
  EXPECT_TRUE(AtimeUpdateDue(AtimeMode::kRelatime, read_long_ago, kNow));
  const rpc::Attr almost_a_day = Times(kNow - kRelatimeMaxAgeNs + 1, 1, 1);
  EXPECT_FALSE(AtimeUpdateDue(AtimeMode::kRelatime, almost_a_day, kNow));
}

TEST(AtimeRuleTest, StrictatimeAlwaysAndNoatimeNever) {
  const rpc::Attr fresh_read = Times(kNow, 1, 1);
  const rpc::Attr changed = Times(1, kNow, kNow);
  EXPECT_TRUE(AtimeUpdateDue(AtimeMode::kStrictatime, fresh_read, kNow));
  EXPECT_FALSE(AtimeUpdateDue(AtimeMode::kNoatime, changed, kNow));
}

TEST(AtimeRuleTest, ParsesTheThreeModeNamesOnly) {
  for (AtimeMode mode : {AtimeMode::kRelatime, AtimeMode::kStrictatime, AtimeMode::kNoatime}) {
    EXPECT_EQ(ParseAtimeMode(AtimeModeName(mode)), mode);
  }
  EXPECT_EQ(ParseAtimeMode("atime"), std::nullopt);
  EXPECT_EQ(ParseAtimeMode("RELATIME"), std::nullopt);
  EXPECT_EQ(ParseAtimeMode(""), std::nullopt);
}

}  // namespace
}  // namespace tessera::fuse
