// WorkloadFixture: the workload side of a fault test, shared by every fixture that runs
// tessera-fault-workload on a mount while it injects faults (master_fault_fixture.h on 127.0.0.1,
// netns_cluster.h in network namespaces): start it, wait for progress after a fault, stop it and
// run the journal checker. On failure TearDownWorkload prints the workload's log tail.
//
// Ownership: owns the workload process (workload_); TearDownWorkload stops it.
// Thread-safety: none; the test's thread drives it.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include "tests/fault/workload_process.h"

namespace tessera::fault {

#define ASSERT_OK(expression)                                               \
  do {                                                                      \
    const ::tessera::Status _status = (expression);                         \
    ASSERT_TRUE(_status.ok()) << #expression << ": " << _status.ToString(); \
  } while (0)

// Deadlines of the conditions the tests poll for: generous, since a loaded 2-core machine is
// slow, but far below the ctest timeout so that a failure says what was awaited.
constexpr std::chrono::milliseconds kLeaderDeadline = std::chrono::seconds(20);
constexpr std::chrono::milliseconds kProgressDeadline = std::chrono::seconds(40);
constexpr std::chrono::milliseconds kCatchUpDeadline = std::chrono::seconds(40);
// Successful operations that show the workload goes on after a fault.
constexpr int64_t kProgressOps = 25;

class WorkloadFixture : public ::testing::Test {
 protected:
  // Starts the workload on `mountpoint` (journal and log in `state_dir`) and waits until it is
  // under way.
  void StartWorkloadOn(const std::string& mountpoint, const std::string& state_dir, uint64_t seed);

  // Polls until the workload succeeded kProgressOps times with operations started after
  // `since_ns`, and returns the progress.
  ProgressSince ExpectProgressSince(int64_t since_ns, const std::string& after_what);

  // Stops the workload and runs the checker against the tree the mount serves now; the report
  // goes to `report` when given.
  void StopWorkloadAndCheck(WorkloadReport* report = nullptr);

  // Prints the workload's log if the test failed, and stops it. Call before the cluster goes.
  void TearDownWorkload();

  std::unique_ptr<WorkloadProcess> workload_;
};

}  // namespace tessera::fault
