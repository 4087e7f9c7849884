// Runs the `tessera` CLI against a test cluster as a child process and hands back its exit code
// and output (stdout and stderr together), for tests of what an operator sees.
//
// Thread-safety: none; use from the test's thread.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "tests/integration/daemon_process.h"
#include "tests/integration/test_cluster.h"

namespace tessera::fault {

struct CliResult {
  int exit_code = -1;
  std::string output;
};

// `tessera --masters <cluster's masters> ARGS...`, started; its output goes to a file named
// after `name` under the cluster's root directory.
Result<std::unique_ptr<testing::DaemonProcess>> StartCli(testing::TestCluster& cluster,
                                                         const std::string& name,
                                                         const std::vector<std::string>& args);

// Waits for a CLI started by StartCli; kUnavailable when it did not exit within `deadline`,
// kInternal when it died of a signal.
Result<CliResult> FinishCli(testing::DaemonProcess& cli, std::chrono::milliseconds deadline);

// StartCli and FinishCli in one.
Result<CliResult> RunCli(testing::TestCluster& cluster, const std::string& name,
                         const std::vector<std::string>& args,
                         std::chrono::milliseconds deadline = std::chrono::seconds(20));

}  // namespace tessera::fault
