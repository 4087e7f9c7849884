// A leader cut off from the group: SIGSTOP freezes it for three election timeouts, as a
// partition would. The others elect a new leader; when the old one wakes up it steps down
// (it answers NOT_LEADER) and catches up as a follower, and no acknowledged operation is lost.
#include <gtest/gtest.h>
#include <signal.h>

#include <thread>

#include "tests/fault/master_fault_fixture.h"

namespace tessera::fault {
namespace {

// Polls master `index` until it refuses clusterStatus with NOT_LEADER.
Status WaitUntilFollower(testing::TestCluster& cluster, int index,
                         std::chrono::milliseconds deadline) {
  auto give_up = std::chrono::steady_clock::now() + deadline;
  Status last = Status::Unavailable("not asked yet");
  while (std::chrono::steady_clock::now() < give_up) {
    last = testing::CallFor<rpc::ClusterStatus>(
               cluster.master_rpc(), cluster.master_address(index),
               [](rpc::MasterServiceClient& c, rpc::ClusterStatus& out) { c.clusterStatus(out); })
               .status();
    if (last.code() == StatusCode::kNotLeader) return Status::Ok();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return Status::Unavailable("the old leader still answers as leader: " + last.ToString());
}

TEST_F(MasterFaultTest, PausedLeaderStepsDownWhenItWakes) {
  ASSERT_NO_FATAL_FAILURE(StartWorkload(5));
  Result<int> leader = cluster_->WaitForLeader(kLeaderDeadline);
  ASSERT_TRUE(leader.ok()) << leader.status().ToString();
  Result<rpc::ClusterStatus> before = cluster_->QueryClusterStatus();
  ASSERT_TRUE(before.ok()) << before.status().ToString();

  const auto paused_at = std::chrono::steady_clock::now();
  ASSERT_OK(cluster_->master(*leader).Signal(SIGSTOP));
  Result<int> successor = cluster_->WaitForLeader(kLeaderDeadline, /*skip=*/*leader);
  ASSERT_TRUE(successor.ok()) << successor.status().ToString();
  Result<rpc::ClusterStatus> during = cluster_->QueryClusterStatus();
  ASSERT_TRUE(during.ok()) << during.status().ToString();
  ASSERT_FALSE(during->masters.empty());
  EXPECT_GT(during->masters[0].term, before->masters[0].term);
  // The fault lasts three election timeouts however fast the election was: this wait is the
  // length of the partition, not a stand-in for a condition.
  std::this_thread::sleep_until(paused_at + 3 * kElectionTimeout);
  ASSERT_OK(cluster_->master(*leader).Signal(SIGCONT));
  const int64_t woken_at = MonotonicNowNanos();

  ASSERT_OK(WaitUntilFollower(*cluster_, *leader, kLeaderDeadline));
  ASSERT_OK(cluster_->WaitForCaughtUp(*leader, kCatchUpDeadline));
  ExpectProgressSince(woken_at, "waking the old leader");
  ASSERT_NO_FATAL_FAILURE(StopWorkloadAndCheck());
}

}  // namespace
}  // namespace tessera::fault
