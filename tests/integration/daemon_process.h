// One child process of a test (a daemon or the mount), started with fork/exec.
//
// Ownership: a DaemonProcess owns its child. The destructor stops a child that still runs
// (SIGTERM, then SIGKILL after a deadline) and reaps it, so no test leaves processes behind.
// The child also gets PR_SET_PDEATHSIG(SIGKILL), so a crashed test run does not leak daemons.
// When the child is reaped (by whichever call sees it exit), the part of its log it wrote is
// checked for a sanitizer report; one fails the running test (ADD_FAILURE) with the report.
// Thread-safety: none; a test drives its processes from one thread.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace tessera::testing {

class DaemonProcess {
 public:
  // `argv[0]` is the program path. stdout and stderr of the child are appended to `log_path`.
  DaemonProcess(std::string name, std::vector<std::string> argv, std::string log_path);
  ~DaemonProcess();
  DaemonProcess(const DaemonProcess&) = delete;
  DaemonProcess& operator=(const DaemonProcess&) = delete;

  // REQUIRES: not running.
  Status Start();
  // Sends `signal` to the running child.
  Status Signal(int signal);
  // Waits until the child exits; returns its wait status. kUnavailable after the deadline.
  Result<int> WaitForExit(std::chrono::milliseconds deadline);
  // SIGTERM, wait up to `grace`, then SIGKILL. Returns the wait status (or an error if the
  // child was not running).
  Result<int> Stop(std::chrono::milliseconds grace = std::chrono::seconds(10));
  // SIGKILL and reap.
  Status Kill();
  // True while the child has not been reaped and has not exited.
  bool Running();

  pid_t pid() const { return pid_; }
  const std::string& name() const { return name_; }
  const std::string& log_path() const { return log_path_; }
  // The last `max_bytes` of the log, for failure messages.
  std::string LogTail(size_t max_bytes = 4000) const;

 private:
  // The child is gone: forgets its pid and fails the test if its log holds a sanitizer report.
  void Reaped();

  std::string name_;
  std::vector<std::string> argv_;
  std::string log_path_;
  pid_t pid_ = -1;               // -1 when no child is running
  off_t log_size_at_start_ = 0;  // the child's own output begins here (the log is appended to)
};

// "exited with 0", "killed by signal 9", for messages.
std::string DescribeWaitStatus(int wait_status);

}  // namespace tessera::testing
