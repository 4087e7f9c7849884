// Quorum on the multi-host launcher, while the workload runs on the client's mount: losing one
// follower (a minority) leaves the leader and its term alone and the workload goes on; losing
// both (the majority) makes the leader step down and a write through the mount wait (or fail)
// instead of being acknowledged; once healed, the write and the workload complete, and the
// checker finds every acknowledged operation in the tree exactly once.
#include <sys/stat.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <iostream>
#include <memory>
#include <thread>

#include "tests/fault/netns_cluster.h"

namespace tessera::fault {
namespace {

constexpr std::chrono::milliseconds kStepDownDeadline = std::chrono::seconds(10);
// How long a write through the mount is watched while no majority exists.
constexpr std::chrono::milliseconds kNoQuorumWatch = std::chrono::seconds(3);
constexpr std::chrono::milliseconds kWriteAfterHealDeadline = std::chrono::seconds(40);

TEST_F(NetnsCluster, MinorityLossKeepsTheLeaderAndMajorityLossHoldsWrites) {
  ASSERT_NO_FATAL_FAILURE(StartWorkload(23));
  Result<std::string> leader = WaitForLeader(kLeaderDeadline);
  ASSERT_TRUE(leader.ok()) << leader.status().ToString();
  Result<MasterSelfView> before = MasterStatus(*leader);
  ASSERT_TRUE(before.ok()) << before.status().ToString();
  std::vector<std::string> followers;
  for (const char* node : {"m1", "m2", "m3"}) {
    if (*leader != node) followers.push_back(node);
  }

  // A minority: one follower's link goes down. The leader keeps its quorum and its term.
  const int64_t minority_at = MonotonicNowNanos();
  ASSERT_OK(Partition(followers[0]));
  ExpectProgressSince(minority_at, "partitioning the follower " + followers[0]);
  Result<MasterSelfView> during = MasterStatus(*leader);
  ASSERT_TRUE(during.ok()) << during.status().ToString();
  EXPECT_EQ(during->role, "leader");
  EXPECT_EQ(during->term, before->term) << "losing one follower disturbed the leader";
  ASSERT_OK(Heal(followers[0]));
  MasterSelfView returned;
  EXPECT_TRUE(PollUntil(kCatchUpDeadline,
                        [&] {
                          Result<MasterSelfView> view = MasterStatus(followers[0]);
                          if (view.ok()) returned = *view;
                          return view.ok() && view->role == "follower" &&
                                 view->term == before->term;
                        }))
      << followers[0] << " came back as " << returned.role << " of term " << returned.term
      << ", not as follower of term " << before->term;

  // The majority: both followers' links go down. The leader must step down...
  ASSERT_OK(Partition(followers[0]));
  ASSERT_OK(Partition(followers[1]));
  const int64_t lost_at = MonotonicNowNanos();
  MasterSelfView alone;
  const bool stepped_down = PollUntil(kStepDownDeadline, [&] {
    Result<MasterSelfView> view = MasterStatus(*leader);
    if (view.ok()) alone = *view;
    return view.ok() && view->role != "leader";
  });
  const double stepped_down_ms = (MonotonicNowNanos() - lost_at) / 1e6;
  // ...and a write through the mount must not be acknowledged while no majority exists. The
  // state is shared with the writer thread, which is detached if the mkdir outlives the test.
  struct Mkdir {
    std::atomic<bool> done{false};
    std::atomic<int> error{0};
  };
  auto mkdir_state = std::make_shared<Mkdir>();
  std::thread writer([mkdir_state, dir = mountpoint() + "/written-without-quorum"] {
    if (mkdir(dir.c_str(), 0755) != 0) mkdir_state->error = errno;
    mkdir_state->done = true;
  });
  const bool returned_early = PollUntil(kNoQuorumWatch, [&] { return mkdir_state->done.load(); });
  const bool acknowledged_without_quorum = returned_early && mkdir_state->error == 0;

  ASSERT_OK(Heal(followers[0]));
  ASSERT_OK(Heal(followers[1]));
  const int64_t healed_at = MonotonicNowNanos();
  const bool finished =
      PollUntil(kWriteAfterHealDeadline, [&] { return mkdir_state->done.load(); });
  if (finished) {
    writer.join();
  } else {
    writer.detach();
  }
  ASSERT_TRUE(stepped_down) << *leader << " still says it is " << alone.role << " of term "
                            << alone.term << " with both followers partitioned";
  EXPECT_FALSE(acknowledged_without_quorum)
      << "mkdir through the mount succeeded while no master majority existed";
  ASSERT_TRUE(finished) << "mkdir did not return within " << kWriteAfterHealDeadline.count()
                        << " ms of the heal";
  const double write_ms = (MonotonicNowNanos() - healed_at) / 1e6;
  ExpectProgressSince(healed_at, "healing the majority");
  WorkloadReport report;
  ASSERT_NO_FATAL_FAILURE(StopWorkloadAndCheck(&report));
  // Acknowledged means there: the mkdir that returned 0 after the heal left its directory.
  struct stat st;
  if (mkdir_state->error == 0) {
    EXPECT_EQ(stat((mountpoint() + "/written-without-quorum").c_str(), &st), 0)
        << "an acknowledged mkdir is lost: " << strerror(errno);
  }
  Result<std::string> after = WaitForLeader(kLeaderDeadline);
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  std::cout << "[ quorum ] minority lost: " << *leader << " kept term " << before->term
            << "; majority lost: " << *leader << " stepped down after ~"
            << static_cast<int>(stepped_down_ms) << " ms, the mkdir waited and returned "
            << (mkdir_state->error == 0 ? std::string("ok")
                                        : std::string(strerror(mkdir_state->error)))
            << " " << static_cast<int>(write_ms) << " ms after the heal; " << *after
            << " leads now; " << report.failed << " workload operation(s) failed" << std::endl;
}

}  // namespace
}  // namespace tessera::fault
