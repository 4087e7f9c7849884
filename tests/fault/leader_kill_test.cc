// kill -9 of the master leader, several times while a workload runs on the mount: a new leader
// takes over each time, the workload goes on, and in the end every acknowledged operation is in
// the tree, exactly once.
#include <gtest/gtest.h>

#include <sstream>

#include "tests/fault/master_fault_fixture.h"

namespace tessera::fault {
namespace {

constexpr int kLeaderKills = 5;

TEST_F(MasterFaultTest, WorkloadSurvivesRepeatedLeaderKills) {
  ASSERT_NO_FATAL_FAILURE(StartWorkload(1));
  std::ostringstream failovers;
  int64_t interrupted = 0;
  for (int round = 1; round <= kLeaderKills; ++round) {
    Result<int> leader = cluster_->WaitForLeader(kLeaderDeadline);
    ASSERT_TRUE(leader.ok()) << leader.status().ToString();
    const int64_t killed_at = MonotonicNowNanos();
    ASSERT_OK(cluster_->master(*leader).Kill());
    Result<int> successor = cluster_->WaitForLeader(kLeaderDeadline);
    ASSERT_TRUE(successor.ok()) << "round " << round << ": " << successor.status().ToString();
    const double elected_ms = (MonotonicNowNanos() - killed_at) / 1e6;
    const ProgressSince progress = ExpectProgressSince(killed_at, "killing the leader");
    ASSERT_FALSE(HasFailure());
    interrupted += progress.in_flight;
    failovers << "\n  round " << round << ": killed master" << cluster_->master_id(*leader)
              << " with " << progress.in_flight << " operation(s) in flight; master"
              << cluster_->master_id(*successor) << " leads after ~"
              << static_cast<int>(elected_ms) << " ms; the first operation started after the "
              << "kill succeeded at " << progress.first_success_ns / 1'000'000 << " ms";
    // The killed master comes back on its data dir and catches up before the next round, so
    // that the group always has a majority to elect the next leader from.
    ASSERT_OK(cluster_->RestartMaster(*leader));
    ASSERT_OK(cluster_->WaitForCaughtUp(*leader, kCatchUpDeadline));
  }
  std::cout << "[ failover ]" << failovers.str() << std::endl;
  RecordProperty("failovers", failovers.str());
  // The kills must have cut operations short, or the retry path was never exercised.
  EXPECT_GT(interrupted, 0) << "no operation was in flight at any kill";
  ASSERT_NO_FATAL_FAILURE(StopWorkloadAndCheck());
}

}  // namespace
}  // namespace tessera::fault
