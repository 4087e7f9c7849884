// GoogleTest fixture of the master fault tests: a cluster of three masters (a Raft group), three
// chunk servers and one FUSE mount, plus the workload (tessera-fault-workload) that runs on the
// mount while a test kills, pauses, wipes or replaces masters. On failure the daemons' and the
// workload's log tails are printed.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <memory>
#include <string>

#include "tests/fault/workload_process.h"
#include "tests/integration/test_cluster.h"

namespace tessera::fault {

#define ASSERT_OK(expression)                                 \
  do {                                                        \
    const ::tessera::Status _status = (expression);           \
    ASSERT_TRUE(_status.ok()) << #expression << ": " << _status.ToString(); \
  } while (0)

// Deadlines of the conditions the tests poll for: generous, since a loaded 2-core machine is
// slow, but far below the ctest timeout so that a failure says what was awaited.
constexpr std::chrono::milliseconds kLeaderDeadline = std::chrono::seconds(20);
constexpr std::chrono::milliseconds kProgressDeadline = std::chrono::seconds(40);
constexpr std::chrono::milliseconds kCatchUpDeadline = std::chrono::seconds(40);
// The masters' --election-timeout-ms (their default).
constexpr std::chrono::milliseconds kElectionTimeout = std::chrono::milliseconds(500);
// Successful operations that show the workload goes on after a fault.
constexpr int64_t kProgressOps = 25;

class MasterFaultTest : public ::testing::Test {
 protected:
  virtual testing::ClusterOptions Options() const {
    testing::ClusterOptions options;
    options.masters = 3;
    options.chunk_servers = 3;
    options.default_goal = 2;
    return options;
  }

  void SetUp() override {
    Result<std::unique_ptr<testing::TestCluster>> cluster =
        testing::TestCluster::Start(Options());
    ASSERT_TRUE(cluster.ok()) << cluster.status().ToString();
    cluster_ = std::move(cluster).value();
    Result<std::string> mounted = cluster_->Mount();
    ASSERT_TRUE(mounted.ok()) << mounted.status().ToString();
    mountpoint_ = *mounted;
  }

  void TearDown() override {
    if (HasFailure() && workload_) std::cerr << "---- workload log\n" << workload_->LogTail() << "\n";
    if (HasFailure() && cluster_) std::cerr << cluster_->DescribeLogs();
    workload_.reset();
    cluster_.reset();
  }

  // Starts the workload and waits until it is under way.
  void StartWorkload(uint64_t seed) {
    Result<std::unique_ptr<WorkloadProcess>> started =
        WorkloadProcess::Start(mountpoint_, cluster_->root_dir(), seed);
    ASSERT_TRUE(started.ok()) << started.status().ToString();
    workload_ = std::move(started).value();
    ASSERT_TRUE(workload_->WaitForSuccessesSince(0, 2 * kProgressOps, kProgressDeadline).ok());
  }

  // Polls until the workload succeeded kProgressOps times with operations started after
  // `since_ns`, and returns the progress.
  ProgressSince ExpectProgressSince(int64_t since_ns, const std::string& after_what) {
    Result<ProgressSince> progress =
        workload_->WaitForSuccessesSince(since_ns, kProgressOps, kProgressDeadline);
    EXPECT_TRUE(progress.ok()) << "after " << after_what << ": " << progress.status().ToString();
    return progress.ok() ? *progress : ProgressSince{};
  }

  // Stops the workload and runs the checker against the tree the mount serves now.
  void StopWorkloadAndCheck() {
    ASSERT_OK(workload_->Stop());
    Result<WorkloadReport> report = workload_->Check();
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    std::cout << "[ workload ] " << report->Summary() << std::endl;
    RecordProperty("operations", std::to_string(report->operations));
    EXPECT_TRUE(report->violations.empty()) << report->Summary();
    EXPECT_GT(report->succeeded, 0);
  }

  std::unique_ptr<testing::TestCluster> cluster_;
  std::string mountpoint_;
  std::unique_ptr<WorkloadProcess> workload_;
};

}  // namespace tessera::fault
