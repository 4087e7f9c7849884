// WorkloadProcess: tessera-fault-workload running on a directory of a mount, as a child of the
// test, with its journal in the test's temp directory.
//
// Ownership: owns the child (a DaemonProcess); the destructor stops it.
// Thread-safety: none; drive it from the test's thread.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "common/status.h"
#include "tests/fault/workload_checker.h"
#include "tests/integration/daemon_process.h"

namespace tessera::fault {

class WorkloadProcess {
 public:
  // Makes `mountpoint`/work-SEED and starts the workload on it; the journal and the log go to
  // `state_dir`. `pause_us` is the workload's pause between operations.
  static Result<std::unique_ptr<WorkloadProcess>> Start(const std::string& mountpoint,
                                                        const std::string& state_dir,
                                                        uint64_t seed, int pause_us = 0);

  // Polls the journal until `count` operations that started at or after `since_ns` succeeded;
  // returns the progress then. Fails early if the workload exited.
  Result<ProgressSince> WaitForSuccessesSince(int64_t since_ns, int64_t count,
                                              std::chrono::milliseconds deadline);
  // SIGTERM (the workload finishes its current operation) and wait; fails unless it exited 0.
  Status Stop();
  // REQUIRES: stopped. Replays the journal and checks the tree on the mount.
  Result<WorkloadReport> Check() const;

  const std::string& dir() const { return dir_; }
  const std::string& journal_path() const { return journal_path_; }
  std::string LogTail() const { return process_->LogTail(); }

 private:
  WorkloadProcess(std::string dir, std::string journal_path,
                  std::unique_ptr<testing::DaemonProcess> process)
      : dir_(std::move(dir)), journal_path_(std::move(journal_path)), process_(std::move(process)) {}

  const std::string dir_;
  const std::string journal_path_;
  std::unique_ptr<testing::DaemonProcess> process_;
};

// Now on the clock the workload journals (CLOCK_MONOTONIC).
int64_t MonotonicNowNanos();

}  // namespace tessera::fault
