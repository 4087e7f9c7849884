#include "master/orphan_collector.h"

#include <gtest/gtest.h>

#include "master_test_util.h"

namespace tessera::master::testing {
namespace {

TEST(OrphanCollectorTest, DeletesOnlyAfterAWholeGracePeriodUnreferenced) {
  ManualClock clock;
  OrphanCollector collector(&clock, /*grace_ms=*/1000);
  EXPECT_TRUE(collector.Collect({1, 2, 3}, {1}).empty());
  EXPECT_EQ(collector.waiting(), 2u);
  clock.AdvanceMs(999);
  EXPECT_TRUE(collector.Collect({1, 2, 3}, {1}).empty());
  clock.AdvanceMs(1);
  std::vector<int64_t> expired = collector.Collect({1, 2, 3}, {1});
  std::sort(expired.begin(), expired.end());
  EXPECT_EQ(expired, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(collector.waiting(), 0u);
}

TEST(OrphanCollectorTest, AReferenceSeenAgainRestartsTheGracePeriod) {
  ManualClock clock;
  OrphanCollector collector(&clock, 1000);
  EXPECT_TRUE(collector.Collect({5}, {}).empty());
  clock.AdvanceMs(600);
  EXPECT_TRUE(collector.Collect({5}, {5}).empty());  // referenced again (e.g. a late scan)
  clock.AdvanceMs(600);
  EXPECT_TRUE(collector.Collect({5}, {}).empty()) << "only 0 ms unreferenced since last seen";
  clock.AdvanceMs(1000);
  EXPECT_EQ(collector.Collect({5}, {}), (std::vector<int64_t>{5}));
}

TEST(OrphanCollectorTest, ResetStartsEveryGracePeriodAgain) {
  ManualClock clock;
  OrphanCollector collector(&clock, 1000);
  EXPECT_TRUE(collector.Collect({5}, {}).empty());
  clock.AdvanceMs(900);
  collector.Reset();  // a new tenure: what an earlier one saw does not count
  EXPECT_TRUE(collector.Collect({5}, {}).empty());
  clock.AdvanceMs(900);
  EXPECT_TRUE(collector.Collect({5}, {}).empty());
  clock.AdvanceMs(100);
  EXPECT_EQ(collector.Collect({5}, {}), (std::vector<int64_t>{5}));
}

TEST(OrphanCollectorTest, ZeroGraceDeletesAtOnceButNeverAReferencedChunk) {
  ManualClock clock;
  OrphanCollector collector(&clock, 0);
  EXPECT_EQ(collector.Collect({4, 9}, {9}), (std::vector<int64_t>{4}));
  EXPECT_TRUE(collector.Collect({9}, {9}).empty());
}

}  // namespace
}  // namespace tessera::master::testing
