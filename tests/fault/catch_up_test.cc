// A master that missed part of the log comes back and catches up: after kill -9 from its own
// log (the leader sends the missing entries), after losing its data directory from a snapshot
// (the leader's log is compacted). Then it takes the leadership over, and the namespace it
// serves holds everything the workload was told happened.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "tests/fault/master_fault_fixture.h"

namespace tessera::fault {
namespace {

// Operations the workload completes while the master is away: far more log entries than the
// compaction threshold of the snapshot test, so the entries it misses are gone from every log.
constexpr int64_t kOpsWhileAway = 400;
constexpr char kSnapshotInstalled[] = "installed a snapshot through index";

// The log at `path` from byte `offset` on (the part a restarted daemon appended).
std::string ReadLog(const std::string& path, size_t offset = 0) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  const std::string log = text.str();
  return offset < log.size() ? log.substr(offset) : "";
}

class MasterCatchUpTest : public MasterFaultTest {
 protected:
  // Brings master `index` back up to date and hands it the leadership, once the workload has
  // stopped (so that "up to date" is a fixed point), then checks the namespace it serves.
  void CatchUpTakeOverAndCheck(int index) {
    ASSERT_OK(cluster_->WaitForCaughtUp(index, kCatchUpDeadline));
    ASSERT_OK(workload_->Stop());
    ASSERT_OK(cluster_->WaitForCaughtUp(index, kCatchUpDeadline));
    ASSERT_OK(cluster_->TransferLeadership(index, kLeaderDeadline));
    Result<WorkloadReport> report = workload_->Check();
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    std::cout << "[ workload ] " << report->Summary() << std::endl;
    EXPECT_TRUE(report->violations.empty()) << report->Summary();
    // The checker read through the mount, which follows the leader; make sure it was `index`.
    Result<int> leader = cluster_->WaitForLeader(kLeaderDeadline);
    ASSERT_TRUE(leader.ok()) << leader.status().ToString();
    EXPECT_EQ(*leader, index) << "the leadership moved away while the checker ran";
  }
};

TEST_F(MasterCatchUpTest, KilledLeaderCatchesUpFromItsLog) {
  ASSERT_NO_FATAL_FAILURE(StartWorkload(2));
  Result<int> leader = cluster_->WaitForLeader(kLeaderDeadline);
  ASSERT_TRUE(leader.ok()) << leader.status().ToString();
  const int64_t killed_at = MonotonicNowNanos();
  ASSERT_OK(cluster_->master(*leader).Kill());
  ASSERT_TRUE(workload_->WaitForSuccessesSince(killed_at, kOpsWhileAway, kProgressDeadline).ok());
  ASSERT_OK(cluster_->RestartMaster(*leader));
  ASSERT_NO_FATAL_FAILURE(CatchUpTakeOverAndCheck(*leader));
  // The log was never compacted (10,000 entries by default): it caught up entry by entry.
  EXPECT_EQ(ReadLog(cluster_->master(*leader).log_path()).find(kSnapshotInstalled),
            std::string::npos);
}

class MasterSnapshotCatchUpTest : public MasterCatchUpTest {
 protected:
  testing::ClusterOptions Options() const override {
    testing::ClusterOptions options = MasterCatchUpTest::Options();
    options.extra_master_flags = {"--snapshot-entries", "50"};
    return options;
  }
};

TEST_F(MasterSnapshotCatchUpTest, WipedFollowerCatchesUpFromASnapshot) {
  ASSERT_NO_FATAL_FAILURE(StartWorkload(3));
  Result<int> leader = cluster_->WaitForLeader(kLeaderDeadline);
  ASSERT_TRUE(leader.ok()) << leader.status().ToString();
  const int follower = (*leader + 1) % cluster_->master_count();
  Result<int> stopped = cluster_->master(follower).Stop();
  ASSERT_TRUE(stopped.ok()) << stopped.status().ToString();
  const int64_t stopped_at = MonotonicNowNanos();
  ASSERT_TRUE(workload_->WaitForSuccessesSince(stopped_at, kOpsWhileAway, kProgressDeadline).ok());
  const size_t log_before_wipe = ReadLog(cluster_->master(follower).log_path()).size();
  ASSERT_OK(cluster_->WipeAndRestartMaster(follower));
  ASSERT_NO_FATAL_FAILURE(CatchUpTakeOverAndCheck(follower));
  EXPECT_NE(ReadLog(cluster_->master(follower).log_path(), log_before_wipe)
                .find(kSnapshotInstalled),
            std::string::npos)
      << "a master with an empty data dir caught up without installing a snapshot";
}

}  // namespace
}  // namespace tessera::fault
