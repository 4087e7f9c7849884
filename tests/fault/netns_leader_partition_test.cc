// Network faults of the master leader on the multi-host launcher (each node its own network
// namespace and address), while the workload runs on the client's mount:
//  - the leader's link goes down: the other two elect a leader, the workload goes on, the
//    isolated leader steps down by itself (check-quorum), and after the heal it follows the new
//    term and catches up;
//  - the leader is cut from the other masters only, still reachable by the client: the mount
//    moves to the new leader, and a read sent to the deposed leader alone never answers with
//    the value the new leader has replaced.
// In both, the checker finds every acknowledged operation in the tree exactly once.
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <iostream>
#include <sstream>
#include <thread>

#include "tests/fault/netns_cluster.h"

namespace tessera::fault {
namespace {

// A leader that hears from no majority must step down within a few election timeouts (500 ms).
constexpr std::chrono::milliseconds kStepDownDeadline = std::chrono::seconds(10);

std::vector<std::string> OtherMasters(const std::string& master) {
  std::vector<std::string> others;
  for (const char* node : {"m1", "m2", "m3"}) {
    if (master != node) others.push_back(node);
  }
  return others;
}

double MillisSince(int64_t start_ns) { return (MonotonicNowNanos() - start_ns) / 1e6; }

Status WriteSmallFile(const std::string& path) {
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return Status::IoError("open " + path + ": " + strerror(errno));
  const bool written = write(fd, "probe\n", 6) == 6 && fsync(fd) == 0;
  const int saved_errno = errno;
  if (close(fd) != 0 || !written) {
    return Status::IoError("write " + path + ": " + strerror(written ? errno : saved_errno));
  }
  return Status::Ok();
}

TEST_F(NetnsCluster, PartitionedLeaderStepsDownAndRejoinsTheNewTerm) {
  ASSERT_NO_FATAL_FAILURE(StartWorkload(21));
  Result<std::string> old_leader = WaitForLeader(kLeaderDeadline);
  ASSERT_TRUE(old_leader.ok()) << old_leader.status().ToString();

  const int64_t partitioned_at = MonotonicNowNanos();
  ASSERT_OK(Partition(*old_leader));
  Result<std::string> successor = WaitForLeader(kLeaderDeadline, *old_leader);
  ASSERT_TRUE(successor.ok()) << successor.status().ToString();
  const double elected_ms = MillisSince(partitioned_at);
  Result<MasterSelfView> elected = MasterStatus(*successor);
  ASSERT_TRUE(elected.ok()) << elected.status().ToString();
  const ProgressSince progress =
      ExpectProgressSince(partitioned_at, "partitioning the leader " + *old_leader);
  ASSERT_FALSE(HasFailure());
  // Availability: metadata service stops for no more than a few seconds.
  EXPECT_LT(progress.first_success_ns, 10'000'000'000)
      << "the first operation after the partition succeeded only after "
      << progress.first_success_ns / 1'000'000 << " ms";
  const double stalled_ms = MillisSince(partitioned_at);

  // Check-quorum: cut off from everyone, the old leader must stop calling itself leader.
  MasterSelfView isolated;
  const bool stepped_down = PollUntil(kStepDownDeadline, [&] {
    Result<MasterSelfView> view = MasterStatus(*old_leader);
    if (view.ok()) isolated = *view;
    return view.ok() && view->role != "leader";
  });
  ASSERT_TRUE(stepped_down) << *old_leader << " still says it is " << isolated.role << " of term "
                            << isolated.term << " while partitioned";
  const double stepped_down_ms = MillisSince(partitioned_at);
  // Pre-vote: its failed elections must not have raised its term past the group's.
  EXPECT_LE(isolated.term, elected->term);

  ASSERT_OK(Heal(*old_leader));
  const int64_t healed_at = MonotonicNowNanos();
  MasterSelfView rejoined, leader_view;
  const bool follows = PollUntil(kCatchUpDeadline, [&] {
    Result<MasterSelfView> view = MasterStatus(*old_leader);
    Result<MasterSelfView> leader = MasterStatus(*successor);
    if (view.ok()) rejoined = *view;
    if (leader.ok()) leader_view = *leader;
    return view.ok() && leader.ok() && view->role == "follower" && leader->role == "leader" &&
           view->term == leader->term;
  });
  ASSERT_TRUE(follows) << *old_leader << " is " << rejoined.role << " of term " << rejoined.term
                       << "; " << *successor << " is " << leader_view.role << " of term "
                       << leader_view.term;
  // The returning master must not have disrupted the group: same leader, same term.
  EXPECT_EQ(leader_view.term, elected->term) << "the heal forced a new election";
  ExpectProgressSince(healed_at, "healing " + *old_leader);
  WorkloadReport report;
  ASSERT_NO_FATAL_FAILURE(StopWorkloadAndCheck(&report));
  // The failover is invisible to programs on the mount: calls wait, none fails.
  EXPECT_EQ(report.failed, 0) << report.Summary();

  // Caught up: with the workload stopped, the old leader applies all the leader committed.
  Result<MasterSelfView> final_leader = MasterStatus(*successor);
  ASSERT_TRUE(final_leader.ok()) << final_leader.status().ToString();
  const bool caught_up = PollUntil(kCatchUpDeadline, [&] {
    Result<MasterSelfView> view = MasterStatus(*old_leader);
    if (view.ok()) rejoined = *view;
    return view.ok() && view->commit_index >= final_leader->commit_index &&
           view->applied_index >= final_leader->commit_index;
  });
  EXPECT_TRUE(caught_up) << *old_leader << " committed " << rejoined.commit_index << " and applied "
                         << rejoined.applied_index << " of the leader's "
                         << final_leader->commit_index;
  std::cout << "[ partition ] " << *old_leader << " partitioned; " << *successor << " leads after ~"
            << static_cast<int>(elected_ms) << " ms; the workload's first "
            << "operation after the partition succeeded after "
            << progress.first_success_ns / 1'000'000 << " ms (" << progress.in_flight
            << " in flight), " << kProgressOps << " after " << static_cast<int>(stalled_ms)
            << " ms; " << *old_leader
            << " stepped down after <= " << static_cast<int>(stepped_down_ms)
            << " ms; rejoined term " << rejoined.term << " at index " << rejoined.commit_index
            << std::endl;
}

TEST_F(NetnsCluster, LeaderCutFromTheMastersServesNoStaleReads) {
  ASSERT_OK(WriteSmallFile(mountpoint() + "/probe-before"));
  ASSERT_OK(WriteSmallFile(mountpoint() + "/acked-goal"));
  ASSERT_NO_FATAL_FAILURE(StartWorkload(22));
  Result<std::string> old_leader = WaitForLeader(kLeaderDeadline);
  ASSERT_TRUE(old_leader.ok()) << old_leader.status().ToString();

  const int64_t cut_at = MonotonicNowNanos();
  for (const std::string& other : OtherMasters(*old_leader)) ASSERT_OK(Cut(*old_leader, other));

  // The mount moves to the new leader: a rename through it, started at once, commits there
  // once the group has elected one. Meanwhile, and for 3 s after, reads go to the deposed
  // leader alone from the client's namespace, which still reaches it: none that starts after
  // the rename returned may find the name the new leader renamed away.
  // Shared with the renamer thread, which is detached if the rename hangs past the test.
  struct Rename {
    std::atomic<int64_t> done_at{0};
    std::atomic<int> error{0};
  };
  auto renaming = std::make_shared<Rename>();
  std::thread renamer(
      [renaming, from = mountpoint() + "/probe-before", to = mountpoint() + "/probe-after"] {
        if (rename(from.c_str(), to.c_str()) != 0) renaming->error = errno;
        renaming->done_at = MonotonicNowNanos();
      });
  std::atomic<int64_t>& renamed_at = renaming->done_at;
  // A write sent to the deposed leader alone, right after the cut: it may fail, or be
  // redirected to the new leader, but if it is acknowledged it must last.
  Result<CommandOutput> goal_set =
      CliAt(*old_leader, {"--timeout-ms", "1000", "goal", "set", "/acked-goal", "1"});
  int reads_after = 0, answered = 0;
  std::string stale;
  while (renamed_at == 0 || MillisSince(renamed_at) < 3000) {
    if (MillisSince(cut_at) > 60'000) {
      stale = "the rename on the mount did not return within 60 s of the cut";
      break;
    }
    const int64_t sent_at = MonotonicNowNanos();
    Result<CommandOutput> read =
        CliAt(*old_leader, {"--timeout-ms", "300", "fileinfo", "/probe-before", "--json"});
    if (!read.ok()) {
      stale = read.status().ToString();
      break;
    }
    const int64_t rename_done = renamed_at;
    if (rename_done == 0 || sent_at < rename_done) continue;  // may see either name
    ++reads_after;
    if (read->exit_code == 0) {
      stale = "stale read: " + *old_leader +
              " still serves /probe-before after the new leader "
              "renamed it:\n" +
              read->out;
      break;
    }
    Result<CommandOutput> fresh =
        CliAt(*old_leader, {"--timeout-ms", "300", "fileinfo", "/probe-after", "--json"});
    if (fresh.ok() && fresh->exit_code == 0) ++answered;
  }
  if (renamed_at != 0) {
    renamer.join();
  } else {
    renamer.detach();
  }
  ASSERT_TRUE(stale.empty()) << stale;
  ASSERT_TRUE(goal_set.ok()) << goal_set.status().ToString();
  ASSERT_EQ(renaming->error, 0) << "rename on the mount after the cut: "
                                << strerror(renaming->error);
  EXPECT_GT(reads_after, 0);
  Result<std::string> successor = WaitForLeader(kLeaderDeadline, *old_leader);
  ASSERT_TRUE(successor.ok()) << successor.status().ToString();
  ExpectProgressSince(cut_at, "cutting " + *old_leader + " from the other masters");

  Result<MasterSelfView> deposed = MasterStatus(*old_leader);
  ASSERT_TRUE(deposed.ok()) << deposed.status().ToString();
  EXPECT_NE(deposed->role, "leader") << *old_leader << " still leads while cut off";

  for (const std::string& other : OtherMasters(*old_leader)) ASSERT_OK(Uncut(*old_leader, other));
  const int64_t healed_at = MonotonicNowNanos();
  ExpectProgressSince(healed_at, "uncutting " + *old_leader);
  WorkloadReport report;
  ASSERT_NO_FATAL_FAILURE(StopWorkloadAndCheck(&report));
  EXPECT_EQ(report.failed, 0) << report.Summary();

  if (goal_set->exit_code == 0) {
    Result<CommandOutput> goal = Cli({"goal", "get", "/acked-goal"});
    ASSERT_TRUE(goal.ok()) << goal.status().ToString();
    EXPECT_EQ(goal->out, "/acked-goal: 1\n")
        << "goal set was acknowledged during the cut and then lost: " << goal->out;
  }
  Result<CommandOutput> fsck = Cli({"fsck"});
  ASSERT_TRUE(fsck.ok()) << fsck.status().ToString();
  EXPECT_EQ(fsck->exit_code, 0) << fsck->out << fsck->err;
  std::cout << "[ cut ] " << *old_leader << " cut from the masters; " << *successor << " leads; "
            << reads_after << " reads at the deposed leader after the rename, none "
            << "stale (" << answered << " redirected to the new name); the rename returned "
            << static_cast<int>((renamed_at - cut_at) / 1'000'000)
            << " ms after the cut; goal set during the cut exited " << goal_set->exit_code
            << std::endl;
}

}  // namespace
}  // namespace tessera::fault
