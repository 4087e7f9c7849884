#include "tests/fault/cli_run.h"

#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace tessera::fault {

Result<std::unique_ptr<testing::DaemonProcess>> StartCli(testing::TestCluster& cluster,
                                                         const std::string& name,
                                                         const std::vector<std::string>& args) {
  const std::string output = cluster.root_dir() + "/cli-" + name + ".out";
  std::filesystem::remove(output);
  std::vector<std::string> argv = {testing::BinaryDir() + "/tessera", "--masters",
                                   cluster.MasterList()};
  argv.insert(argv.end(), args.begin(), args.end());
  auto cli = std::make_unique<testing::DaemonProcess>("tessera-" + name, std::move(argv), output);
  RETURN_IF_ERROR(cli->Start());
  return cli;
}

Result<CliResult> FinishCli(testing::DaemonProcess& cli, std::chrono::milliseconds deadline) {
  ASSIGN_OR_RETURN(int wait_status, cli.WaitForExit(deadline));
  std::ifstream in(cli.log_path());
  std::stringstream text;
  text << in.rdbuf();
  if (!WIFEXITED(wait_status)) {
    return Status::Internal(cli.name() + " " + testing::DescribeWaitStatus(wait_status) + ": " +
                            text.str());
  }
  return CliResult{WEXITSTATUS(wait_status), text.str()};
}

Result<CliResult> RunCli(testing::TestCluster& cluster, const std::string& name,
                         const std::vector<std::string>& args, std::chrono::milliseconds deadline) {
  ASSIGN_OR_RETURN(std::unique_ptr<testing::DaemonProcess> cli, StartCli(cluster, name, args));
  return FinishCli(*cli, deadline);
}

}  // namespace tessera::fault
