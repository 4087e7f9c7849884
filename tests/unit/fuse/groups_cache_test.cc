#include "fuse/groups_cache.h"

#include <gtest/gtest.h>

namespace tessera::fuse {
namespace {

class ManualClock final : public Clock {
 public:
  int64_t NowUnixNanos() const override { return now_ns; }
  int64_t NowMonotonicNanos() const override { return now_ns; }
  int64_t now_ns = 1'000'000'000;
};

TEST(GroupsCacheTest, ReusesGroupsWithinTtlAndRefetchesAfter) {
  ManualClock clock;
  GroupsCache cache(&clock);
  int fetches = 0;
  auto fetch = [&] {
    ++fetches;
    return std::vector<uint32_t>{10, static_cast<uint32_t>(fetches)};
  };
  EXPECT_EQ(cache.Get(42, 1000, 100, fetch), (std::vector<uint32_t>{10, 1}));
  EXPECT_EQ(cache.Get(42, 1000, 100, fetch), (std::vector<uint32_t>{10, 1}));
  EXPECT_EQ(fetches, 1);
  clock.now_ns += std::chrono::nanoseconds(GroupsCache::kTtl).count();
  EXPECT_EQ(cache.Get(42, 1000, 100, fetch), (std::vector<uint32_t>{10, 2}));
  EXPECT_EQ(fetches, 2);
}

TEST(GroupsCacheTest, ReusedPidOfAnotherUserMisses) {
  ManualClock clock;
  GroupsCache cache(&clock);
  EXPECT_EQ(cache.Get(42, 1000, 100, [] { return std::vector<uint32_t>{0}; }),
            std::vector<uint32_t>{0});
  EXPECT_EQ(cache.Get(42, 2000, 200, [] { return std::vector<uint32_t>{7}; }),
            std::vector<uint32_t>{7});
}

}  // namespace
}  // namespace tessera::fuse
