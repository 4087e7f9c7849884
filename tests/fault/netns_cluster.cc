#include "tests/fault/netns_cluster.h"

#include <sys/wait.h>
#include <unistd.h>

#include <boost/property_tree/json_parser.hpp>
#include <boost/property_tree/ptree.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <sstream>
#include <thread>

#include "tests/integration/daemon_process.h"
#include "tests/integration/test_cluster.h"

namespace tessera::fault {
namespace {

constexpr char kSubnet[] = "10.78.0";
// `start` waits for every daemon and the mount; a loaded machine may be slow.
constexpr std::chrono::milliseconds kStartDeadline = std::chrono::seconds(120);

std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string Trimmed(const std::string& text) {
  const size_t end = text.find_last_not_of(" \n\r\t");
  return end == std::string::npos ? "" : text.substr(0, end + 1);
}

std::string LastLines(const std::string& text, int lines) {
  size_t at = text.size();
  for (int i = 0; i <= lines && at != std::string::npos && at > 0; ++i) {
    at = text.rfind('\n', at - 1);
  }
  return at == std::string::npos ? text : text.substr(at + 1);
}

}  // namespace

bool PollUntil(std::chrono::milliseconds deadline, const std::function<bool()>& condition) {
  const auto give_up = std::chrono::steady_clock::now() + deadline;
  while (true) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() >= give_up) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

void NetnsCluster::SetUp() {
  prefix_ = "f" + std::to_string(getpid() % 100000);
  char dir_template[] = "/tmp/tessera-netns-fault-XXXXXX";
  ASSERT_NE(mkdtemp(dir_template), nullptr) << "mkdtemp: " << strerror(errno);
  run_dir_ = dir_template;
  std::filesystem::create_directories(run_dir_ + "/commands");
  Result<CommandOutput> started = Launcher({"start"}, kStartDeadline);
  ASSERT_TRUE(started.ok()) << started.status().ToString();
  ASSERT_EQ(started->exit_code, 0) << "netns-cluster.sh start failed:\n" << started->err;
  // `start` ends with the `env` assignments: NAME=VALUE, values without spaces or quotes here.
  std::istringstream lines(started->out);
  for (std::string line; std::getline(lines, line);) {
    const size_t equals = line.find('=');
    if (line.rfind("NETNS_", 0) == 0 && equals != std::string::npos) {
      env_[line.substr(0, equals)] = line.substr(equals + 1);
    }
  }
  ASSERT_TRUE(env_.count("NETNS_MOUNT")) << "no NETNS_MOUNT in:\n" << started->out;
  mountpoint_ = env_["NETNS_MOUNT"];
}

void NetnsCluster::TearDown() {
  TearDownWorkload();
  if (run_dir_.empty()) return;
  if (HasFailure()) PrintClusterState();
  Result<CommandOutput> stopped = Launcher({"stop"});
  EXPECT_TRUE(stopped.ok() && stopped->exit_code == 0)
      << "netns-cluster.sh stop failed: "
      << (stopped.ok() ? stopped->err : stopped.status().ToString());
  if (getenv("TESSERA_KEEP_TEST_DIR") == nullptr) {
    std::error_code ignored;
    std::filesystem::remove_all(run_dir_, ignored);
  }
}

void NetnsCluster::PrintClusterState() {
  Result<CommandOutput> status = Launcher({"status"});
  if (status.ok()) std::cerr << "---- netns-cluster.sh status\n" << status->out << status->err;
  std::vector<std::string> nodes = {"m1", "m2", "m3", "client"};
  for (int i = 1; i <= Options().chunk_servers; ++i) nodes.push_back("cs" + std::to_string(i));
  for (const std::string& node : nodes) {
    std::cerr << "---- " << node << " log (last lines)\n"
              << LastLines(ReadWholeFile(run_dir_ + "/" + node + "/log"), 25) << "\n";
  }
}

std::vector<std::string> NetnsCluster::Environment() const {
  const NetnsOptions options = Options();
  return {"NETNS_PREFIX=" + prefix_,
          "NETNS_RUN_DIR=" + run_dir_,
          std::string("NETNS_SUBNET=") + kSubnet,
          "CHUNK_SERVERS=" + std::to_string(options.chunk_servers),
          "DEFAULT_GOAL=" + std::to_string(options.default_goal),
          "TESSERA_BIN_DIR=" + testing::BinaryDir()};
}

Result<CommandOutput> NetnsCluster::Launcher(const std::vector<std::string>& args,
                                             std::chrono::milliseconds deadline) {
  const std::string base = run_dir_ + "/commands/" + std::to_string(++commands_run_);
  // DaemonProcess sends stdout and stderr to one file; the shell splits stderr off, so that
  // stdout stays parseable (the launcher logs on stderr).
  std::vector<std::string> argv = {"/usr/bin/env"};
  for (const std::string& setting : Environment()) argv.push_back(setting);
  argv.insert(argv.end(), {"/bin/sh", "-c", "exec \"$0\" \"$@\" 2>\"" + base + ".err\"",
                           std::string(TESSERA_SOURCE_DIR) + "/deploy/netns-cluster.sh"});
  argv.insert(argv.end(), args.begin(), args.end());
  testing::DaemonProcess process("netns-cluster.sh " + args.front(), std::move(argv),
                                 base + ".out");
  RETURN_IF_ERROR(process.Start());
  Result<int> exited = process.WaitForExit(deadline);
  if (!exited.ok()) {
    return Status::Unavailable("netns-cluster.sh " + args.front() + " did not finish in " +
                               std::to_string(deadline.count()) +
                               " ms: " + ReadWholeFile(base + ".err"));
  }
  if (!WIFEXITED(*exited)) {
    return Status::Internal("netns-cluster.sh " + args.front() + " " +
                            testing::DescribeWaitStatus(*exited));
  }
  return CommandOutput{WEXITSTATUS(*exited), ReadWholeFile(base + ".out"),
                       ReadWholeFile(base + ".err")};
}

Status NetnsCluster::Must(const std::vector<std::string>& args) {
  ASSIGN_OR_RETURN(CommandOutput output, Launcher(args));
  if (output.exit_code == 0) return Status::Ok();
  std::string command;
  for (const std::string& arg : args) command += " " + arg;
  return Status::Internal("netns-cluster.sh" + command + " exited " +
                          std::to_string(output.exit_code) + ": " + output.err);
}

Result<CommandOutput> NetnsCluster::Cli(const std::vector<std::string>& args) {
  std::vector<std::string> command = {"cli"};
  command.insert(command.end(), args.begin(), args.end());
  return Launcher(command);
}

Result<CommandOutput> NetnsCluster::CliAt(const std::string& master,
                                          const std::vector<std::string>& args) {
  std::vector<std::string> command = {"exec", "client", testing::BinaryDir() + "/tessera",
                                      "--masters", MasterAddress(master)};
  command.insert(command.end(), args.begin(), args.end());
  return Launcher(command);
}

Result<std::string> NetnsCluster::LeaderNode() {
  ASSIGN_OR_RETURN(CommandOutput output, Launcher({"leader"}));
  if (output.exit_code != 0) return Status::Unavailable("no leader: " + Trimmed(output.err));
  return Trimmed(output.out);
}

Result<std::string> NetnsCluster::WaitForLeader(std::chrono::milliseconds deadline,
                                                const std::string& not_node) {
  Result<std::string> leader = Status::Unavailable("not asked yet");
  PollUntil(deadline, [&] {
    leader = LeaderNode();
    return leader.ok() && *leader != not_node;
  });
  if (leader.ok() && *leader == not_node) {
    return Status::Unavailable(not_node + " still leads after " + std::to_string(deadline.count()) +
                               " ms");
  }
  return leader;
}

Result<MasterSelfView> NetnsCluster::MasterStatus(const std::string& master) {
  ASSIGN_OR_RETURN(CommandOutput output, Launcher({"admin", master, "/status"}));
  if (output.exit_code != 0) {
    return Status::Unavailable(master + "'s /status: " + Trimmed(output.err));
  }
  try {
    std::istringstream json(output.out);
    boost::property_tree::ptree tree;
    boost::property_tree::read_json(json, tree);
    MasterSelfView view;
    view.role = tree.get<std::string>("role");
    view.term = tree.get<int64_t>("term");
    view.leader_id = tree.get<int64_t>("leader_id");
    view.commit_index = tree.get<int64_t>("commit_index");
    view.applied_index = tree.get<int64_t>("applied_index");
    return view;
  } catch (const boost::property_tree::ptree_error& error) {
    return Status::Internal(master + "'s /status is not as expected (" + error.what() +
                            "): " + output.out);
  }
}

std::string NetnsCluster::Address(const std::string& node) const {
  auto found = env_.find("NETNS_ADDR_" + node);
  return found == env_.end() ? "unknown-node-" + node : found->second;
}

}  // namespace tessera::fault
