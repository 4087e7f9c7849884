// `tessera`: the operator's command-line tool.
//
//   tessera [--masters H:P,...] [--timeout-ms N] [--log-level L] status [--json]
//   tessera [...] master members|add|remove|transfer-leader ...
//   tessera [...] fsck [PATH] [--json]
//   tessera [...] goal get PATH | goal set PATH N [-r]
//   tessera [...] decommission SERVER_ID [--no-wait|--cancel] | decommission --status [--json]
//
// Masters come from --masters or else the TESSERA_MASTERS environment variable. Exit codes are
// in cli_common.h.
#include <thrift/Thrift.h>  // declares GlobalOutput; TOutput.h alone lacks its includes

#include <algorithm>
#include <boost/program_options.hpp>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "client/cli/cli_common.h"
#include "client/cli/cluster_status_format.h"
#include "client/cli/balance_command.h"
#include "client/cli/decommission_command.h"
#include "client/cli/fsck_command.h"
#include "client/cli/goal_command.h"
#include "client/cli/master_commands.h"
#include "client/file_system.h"
#include "common/address.h"
#include "common/logging.h"

namespace po = boost::program_options;

namespace tessera::client::cli {
namespace {

constexpr char kUsage[] =
    "Usage: tessera [GLOBAL OPTIONS] COMMAND [COMMAND OPTIONS]\n"
    "\n"
    "Commands:\n"
    "  status    show the masters and the chunk servers of the cluster\n"
    "  master    list the masters, add or remove one, hand over the leadership\n"
    "  fsck      list chunks under goal or missing; exit code 3 when not healthy\n"
    "  goal      get or set (-r: recursively) the replicas wanted for files\n"
    "  decommission  move every replica off a chunk server, then say it can be switched off\n"
    "  balance       move replicas until every chunk server is about as full as the mean\n"
    "\n"
    "Run 'tessera COMMAND --help' for the options of a command.\n";

int RunStatus(const GlobalOptions& global, const std::vector<std::string>& args) {
  po::options_description options("Options of 'tessera status'");
  options.add_options()("json", "print JSON instead of tables")("help,h", "show this help");
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(options).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    return UsageError(std::string("status: ") + e.what());
  }
  if (vm.count("help")) {
    std::cout << "Usage: tessera [--masters H:P,...] status [--json]\n\n" << options;
    return kExitOk;
  }
  if (global.masters.empty()) {
    return UsageError("no masters given: use --masters H:P[,H:P...] or set TESSERA_MASTERS");
  }
  ClientOptions client_options;
  client_options.masters = global.masters;
  client_options.rpc_timeout_ms = global.timeout_ms;
  client_options.master_retry_deadline_ms = global.timeout_ms;
  Result<std::unique_ptr<FileSystem>> fs = FileSystem::Create(client_options);
  if (!fs.ok()) return UsageError(fs.status().ToString());
  Result<rpc::ClusterStatus> status = (*fs)->ClusterStatus();
  if (!status.ok()) {
    std::cerr << "tessera: cannot get the cluster status: " << status.status().ToString() << "\n";
    return kExitFailed;
  }
  std::cout << (vm.count("json") ? FormatClusterStatusJson(*status)
                                 : FormatClusterStatusText(*status));
  return kExitOk;
}

int Main(int argc, char** argv) {
  po::options_description global_options("Global options");
  global_options.add_options()("help,h", "show this help")(
      "masters", po::value<std::string>(),
      "master addresses H:P[,H:P...] (default: $TESSERA_MASTERS)")(
      "timeout-ms", po::value<int>()->default_value(5000),
      "how long to look for the master leader, in milliseconds")(
      "log-level", po::value<std::string>()->default_value("warning"),
      "debug, info, warning or error");
  po::options_description positional_options;
  positional_options.add_options()("command", po::value<std::string>())(
      "args", po::value<std::vector<std::string>>());
  po::options_description all;
  all.add(global_options).add(positional_options);
  po::positional_options_description positional;
  positional.add("command", 1).add("args", -1);

  po::variables_map vm;
  std::vector<std::string> command_args;
  try {
    po::parsed_options parsed = po::command_line_parser(argc, argv)
                                    .options(all)
                                    .positional(positional)
                                    .allow_unregistered()
                                    .run();
    po::store(parsed, vm);
    po::notify(vm);
    command_args = po::collect_unrecognized(parsed.options, po::include_positional);
  } catch (const po::error& e) {
    return UsageError(e.what());
  }
  if (!vm.count("command")) {
    if (vm.count("help")) {
      std::cout << kUsage << "\n" << global_options;
      return kExitOk;
    }
    if (!command_args.empty()) return UsageError("unknown option '" + command_args.front() + "'");
    return UsageError("no command given");
  }
  // collect_unrecognized returns the command among the words it did not know; anything before
  // it is an unknown global option.
  const std::string command = vm["command"].as<std::string>();
  auto command_at = std::find(command_args.begin(), command_args.end(), command);
  if (command_at != command_args.begin()) {
    return UsageError("unknown option '" + command_args.front() + "'");
  }
  command_args.erase(command_args.begin());
  if (vm.count("help")) command_args.push_back("--help");

  LogLevel level;
  if (!ParseLogLevel(vm["log-level"].as<std::string>(), &level)) {
    return UsageError("invalid --log-level '" + vm["log-level"].as<std::string>() + "'");
  }
  SetLogLevel(level);
  // Thrift prints every failed connect to stderr; the client already reports what matters.
  apache::thrift::GlobalOutput.setOutputFunction(
      [](const char* message) { LOG(kDebug, "thrift") << message; });

  GlobalOptions global;
  global.timeout_ms = vm["timeout-ms"].as<int>();
  if (global.timeout_ms < 1 || global.timeout_ms > 3600 * 1000) {
    return UsageError("--timeout-ms must be 1..3600000");
  }
  std::string masters;
  if (vm.count("masters")) {
    masters = vm["masters"].as<std::string>();
  } else if (const char* env = std::getenv("TESSERA_MASTERS"); env != nullptr && *env != '\0') {
    masters = env;
  }
  if (!masters.empty()) {
    Result<std::vector<HostPort>> parsed = ParseHostPortList(masters);
    if (!parsed.ok()) return UsageError("invalid masters: " + parsed.status().message());
    global.masters = std::move(*parsed);
  }

  if (command == "status") return RunStatus(global, command_args);
  if (command == "master") return RunMaster(global, command_args);
  if (command == "fsck") return RunFsck(global, command_args);
  if (command == "goal") return RunGoal(global, command_args);
  if (command == "decommission") return RunDecommission(global, command_args);
  if (command == "balance") return RunBalance(global, command_args);
  return UsageError("unknown command '" + command + "'");
}

}  // namespace

int UsageError(const std::string& message) {
  std::cerr << "tessera: " << message << "\n(see 'tessera --help')\n";
  return kExitUsage;
}

}  // namespace tessera::client::cli

int main(int argc, char** argv) { return tessera::client::cli::Main(argc, argv); }
