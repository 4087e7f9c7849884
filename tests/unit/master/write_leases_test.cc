#include "master/write_leases.h"

#include <gtest/gtest.h>

#include "master_test_util.h"

namespace tessera::master::testing {
namespace {

TEST(WriteLeaseTableTest, RenewsOnlyAValidLeaseOfTheSameVersion) {
  ManualClock clock;
  WriteLeaseTable leases(&clock, /*duration_ms=*/1000);
  EXPECT_FALSE(leases.Renew(7, 1));
  leases.Grant(7, 2, {3, 1});
  EXPECT_FALSE(leases.Renew(7, 1)) << "a lease is for one version";
  std::optional<WriteLease> lease = leases.Renew(7, 2);
  ASSERT_TRUE(lease);
  EXPECT_EQ(lease->chain, (std::vector<int64_t>{3, 1}));
  EXPECT_EQ(leases.counters().granted, 1u);
  EXPECT_EQ(leases.counters().extended, 1u);
}

TEST(WriteLeaseTableTest, UseExtendsTheLeaseAndIdlenessEndsIt) {
  ManualClock clock;
  WriteLeaseTable leases(&clock, 1000);
  leases.Grant(7, 1, {1});
  clock.AdvanceMs(900);
  EXPECT_TRUE(leases.Renew(7, 1));
  clock.AdvanceMs(900);  // 1800 ms after the grant, 900 after the last use
  EXPECT_TRUE(leases.Renew(7, 1));
  clock.AdvanceMs(1000);
  EXPECT_FALSE(leases.Renew(7, 1));
}

TEST(WriteLeaseTableTest, RevokedLeaseIsGone) {
  ManualClock clock;
  WriteLeaseTable leases(&clock, 1000);
  leases.Grant(7, 1, {1});
  leases.Revoke(7);
  EXPECT_FALSE(leases.Renew(7, 1));
}

TEST(WriteLeaseTableTest, OneGrantPerChunkAtATime) {
  ManualClock clock;
  WriteLeaseTable leases(&clock, 1000);
  EXPECT_TRUE(leases.TryBeginGrant(7));
  EXPECT_FALSE(leases.TryBeginGrant(7));
  EXPECT_TRUE(leases.TryBeginGrant(8));
  leases.EndGrant(7);
  EXPECT_TRUE(leases.TryBeginGrant(7));
}

TEST(WriteLeaseTableTest, LapsedLeasesAreSweptAsTheTableGrows) {
  ManualClock clock;
  WriteLeaseTable leases(&clock, 1000);
  for (int64_t id = 1; id <= 100; ++id) leases.Grant(id, 1, {1});
  clock.AdvanceMs(2000);
  for (int64_t id = 101; id <= 400; ++id) leases.Grant(id, 1, {1});
  EXPECT_LE(leases.size(), 300u + 64u) << "the first hundred lapsed and must have been swept";
  EXPECT_TRUE(leases.Renew(400, 1));
}

}  // namespace
}  // namespace tessera::master::testing
