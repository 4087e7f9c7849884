// TokenBucket on a manual clock: bursts, the long-run rate, debt shared between takers, the cap
// on what an idle spell saves up, and "unlimited".
#include "chunkserver/token_bucket.h"

#include <gtest/gtest.h>

#include "tests/unit/chunkserver/test_util.h"

namespace tessera {
namespace {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;
using testing::ManualClock;

constexpr int64_t kRate = 1'000'000;  // bytes per second: 1 byte per microsecond

TEST(TokenBucketTest, BurstGoesAtOnceThenTheRateHolds) {
  ManualClock clock;
  TokenBucket bucket(kRate, 500'000, &clock);
  EXPECT_EQ(bucket.Take(500'000), nanoseconds(0));
  EXPECT_EQ(bucket.Take(250'000), milliseconds(250));
  clock.Advance(milliseconds(250));  // the caller waited
  // Each further take waits exactly its own size at the rate.
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(bucket.Take(100'000), milliseconds(100)) << i;
    clock.Advance(milliseconds(100));
  }
}

TEST(TokenBucketTest, TakersThatDoNotWaitPileUpDebt) {
  ManualClock clock;
  TokenBucket bucket(kRate, 100'000, &clock);
  EXPECT_EQ(bucket.Take(100'000), nanoseconds(0));
  // Two replications take at the same moment: the second waits for the first one's bytes too.
  EXPECT_EQ(bucket.Take(300'000), milliseconds(300));
  EXPECT_EQ(bucket.Take(300'000), milliseconds(600));
  clock.Advance(milliseconds(600));
  EXPECT_EQ(bucket.Take(1), nanoseconds(1000));
}

TEST(TokenBucketTest, IdleTimeSavesUpAtMostOneBurst) {
  ManualClock clock;
  TokenBucket bucket(kRate, 200'000, &clock);
  EXPECT_EQ(bucket.Take(200'000), nanoseconds(0));
  clock.Advance(milliseconds(60'000));  // a minute idle
  EXPECT_EQ(bucket.Take(200'000), nanoseconds(0));
  EXPECT_EQ(bucket.Take(200'000), milliseconds(200));
}

TEST(TokenBucketTest, ZeroRateIsUnlimited) {
  ManualClock clock;
  TokenBucket bucket(0, 1, &clock);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(bucket.Take(int64_t{64} << 20), nanoseconds(0));
}

}  // namespace
}  // namespace tessera
