#include "tests/unit/raft/linearizability_checker.h"

#include <gtest/gtest.h>

namespace tessera::raft::sim {
namespace {

KvOperation Put(std::string value, uint64_t invoked, uint64_t responded) {
  return KvOperation{.key = "k",
                     .is_put = true,
                     .value = std::move(value),
                     .invoked = invoked,
                     .responded = responded};
}
KvOperation Get(std::string value, uint64_t invoked, uint64_t responded) {
  return KvOperation{
      .key = "k", .value = std::move(value), .invoked = invoked, .responded = responded};
}

TEST(LinearizabilityChecker, AcceptsSequentialHistory) {
  EXPECT_EQ(CheckLinearizable({Get("", 1, 2), Put("a", 3, 4), Get("a", 5, 6)}), "");
}

TEST(LinearizabilityChecker, AcceptsConcurrentReadOfEitherValue) {
  EXPECT_EQ(CheckLinearizable({Put("a", 1, 2), Put("b", 3, 8), Get("a", 4, 5), Get("b", 6, 7)}),
            "");
}

TEST(LinearizabilityChecker, RejectsStaleRead) {
  EXPECT_NE(CheckLinearizable({Put("a", 1, 2), Put("b", 3, 4), Get("a", 5, 6)}), "");
}

TEST(LinearizabilityChecker, RejectsReadGoingBackwards) {
  // Both reads overlap the write of b, but once b was seen, a may not come back.
  EXPECT_NE(CheckLinearizable({Put("a", 1, 2), Put("b", 3, 20), Get("b", 4, 5), Get("a", 6, 7)}),
            "");
}

TEST(LinearizabilityChecker, UnansweredPutMayTakeEffectLate) {
  EXPECT_EQ(CheckLinearizable({Put("a", 1, KvOperation::kNever), Get("", 2, 3), Get("a", 4, 5)}),
            "");
  EXPECT_NE(CheckLinearizable({Put("a", 1, KvOperation::kNever), Get("a", 2, 3), Get("", 4, 5)}),
            "");
}

TEST(LinearizabilityChecker, KeysAreIndependent) {
  KvOperation other = Put("x", 1, 2);
  other.key = "other";
  EXPECT_EQ(CheckLinearizable({other, Get("", 3, 4)}), "");
}

}  // namespace
}  // namespace tessera::raft::sim
