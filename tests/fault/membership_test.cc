// Membership change under load: a fourth master joins, catches up and becomes a voter, then one
// of the old followers is removed and stopped. The workload goes on throughout, and the new
// member really counts: the leader is then killed and the remaining two masters of the new
// group (one of them the newcomer) elect a successor.
#include <gtest/gtest.h>

#include <thread>

#include "tests/fault/master_fault_fixture.h"

namespace tessera::fault {
namespace {

// Polls until the leader's member list no longer names master `index`.
Status WaitUntilNotMember(testing::TestCluster& cluster, int index,
                          std::chrono::milliseconds deadline) {
  auto give_up = std::chrono::steady_clock::now() + deadline;
  std::string last = "not asked yet";
  while (std::chrono::steady_clock::now() < give_up) {
    Result<rpc::ClusterStatus> status = cluster.QueryClusterStatus();
    if (status.ok()) {
      bool member = false;
      for (const rpc::MasterStatus& line : status->masters) {
        member = member || line.id == cluster.master_id(index);
      }
      if (!member) return Status::Ok();
      last = "still a member";
    } else {
      last = status.status().ToString();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return Status::Unavailable("master" + std::to_string(cluster.master_id(index)) +
                             " was not removed in time: " + last);
}

TEST_F(MasterFaultTest, ReplaceAFollowerWhileTheWorkloadRuns) {
  ASSERT_NO_FATAL_FAILURE(StartWorkload(4));
  Result<int> newcomer = cluster_->StartJoiningMaster();
  ASSERT_TRUE(newcomer.ok()) << newcomer.status().ToString();
  const int64_t added_at = MonotonicNowNanos();
  ASSERT_OK(cluster_->AddMaster(*newcomer, kLeaderDeadline));
  ASSERT_OK(cluster_->WaitForCaughtUp(*newcomer, kCatchUpDeadline));
  ExpectProgressSince(added_at, "adding master 4");

  Result<int> leader = cluster_->WaitForLeader(kLeaderDeadline);
  ASSERT_TRUE(leader.ok()) << leader.status().ToString();
  const int removed = *leader == 0 ? 1 : 0;
  const int64_t removed_at = MonotonicNowNanos();
  ASSERT_OK(cluster_->RemoveMaster(removed, kLeaderDeadline));
  ASSERT_OK(WaitUntilNotMember(*cluster_, removed, kCatchUpDeadline));
  // A removed master may stop by itself; either way it must be gone before the next step.
  if (cluster_->master(removed).Running()) {
    Result<int> stopped = cluster_->master(removed).Stop();
    ASSERT_TRUE(stopped.ok()) << stopped.status().ToString();
  }
  ExpectProgressSince(removed_at, "removing a follower");

  // Three voters are left, the newcomer among them: without its vote no successor is elected.
  leader = cluster_->WaitForLeader(kLeaderDeadline);
  ASSERT_TRUE(leader.ok()) << leader.status().ToString();
  const int64_t killed_at = MonotonicNowNanos();
  ASSERT_OK(cluster_->master(*leader).Kill());
  Result<int> successor = cluster_->WaitForLeader(kLeaderDeadline);
  ASSERT_TRUE(successor.ok()) << successor.status().ToString();
  ExpectProgressSince(killed_at, "killing the leader of the new group");
  ASSERT_OK(cluster_->RestartMaster(*leader));
  ASSERT_OK(cluster_->WaitForCaughtUp(*leader, kCatchUpDeadline));
  ASSERT_NO_FATAL_FAILURE(StopWorkloadAndCheck());
}

}  // namespace
}  // namespace tessera::fault
