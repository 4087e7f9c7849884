// `tessera`: the operator's command-line tool.
//
//   tessera [--masters H:P,...] [--config FILE] [--timeout-ms N] [--log-level L] status [--json]
//   tessera [...] master members|add|remove|transfer-leader ...
//   tessera [...] fsck [PATH] [--json]
//   tessera [...] goal get PATH | goal set PATH N [-r]
//   tessera [...] fileinfo PATH [--json]
//   tessera [...] decommission SERVER_ID [--no-wait|--cancel] | decommission --status [--json]
//
// Masters come from --masters, TESSERA_MASTERS or a config file (cli_config.h). Exit codes are
// in cli_common.h.
#include <thrift/Thrift.h>  // declares GlobalOutput; TOutput.h alone lacks its includes

#include <algorithm>
#include <boost/program_options.hpp>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "client/cli/cli_common.h"
#include "client/cli/cli_config.h"
#include "client/cli/cluster_status_format.h"
#include "client/cli/balance_command.h"
#include "client/cli/decommission_command.h"
#include "client/cli/fileinfo_command.h"
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
    "  fileinfo  show each chunk of a file and where its replicas are\n"
    "  decommission  move every replica off a chunk server, then say it can be switched off\n"
    "  balance       move replicas until every chunk server is about as full as the mean\n"
    "\n"
    "Run 'tessera COMMAND --help' for the options of a command. Every command takes --json.\n"
    "\n"
    "Masters: --masters, else $TESSERA_MASTERS, else 'masters = H:P,...' in the config file\n"
    "(--config FILE, else $TESSERA_CONFIG, else /etc/tessera/tessera.conf if it exists).\n"
    "\n"
    "Exit codes: 0 ok, 1 failed (cluster unreachable or request refused), 2 usage error,\n"
    "3 not healthy (fsck, fileinfo, status --check).\n";

int RunStatus(const GlobalOptions& global, const std::vector<std::string>& args) {
  po::options_description options("Options of 'tessera status'");
  options.add_options()("json", "print JSON instead of tables")(
      "check", "exit with code 3 when the cluster is not healthy")("help,h", "show this help");
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(options).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    return UsageError(std::string("status: ") + e.what());
  }
  if (vm.count("help")) {
    std::cout << "Usage: tessera [--masters H:P,...] status [--json] [--check]\n"
                 "Shows the masters (role, term, log index), the chunk servers (capacity, used,\n"
                 "chunks, load = requests in progress, disks, state) and a health summary:\n"
                 "unreachable masters, dead chunk servers and failed disks.\n\n"
              << options;
    return kExitOk;
  }
  if (global.masters.empty()) return NoMastersError();
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
  if (vm.count("check") && !AssessHealth(*status).healthy) return kExitUnhealthy;
  return kExitOk;
}

int Main(int argc, char** argv) {
  po::options_description global_options("Global options");
  global_options.add_options()("help,h", "show this help")(
      "masters", po::value<std::string>(),
      "master addresses H:P[,H:P...] (default: $TESSERA_MASTERS, then the config file)")(
      "config", po::value<std::string>(),
      "config file with 'masters = H:P,...' (default: $TESSERA_CONFIG, then "
      "/etc/tessera/tessera.conf if it exists)")(
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

  MasterSources sources;
  if (vm.count("masters")) sources.flag = vm["masters"].as<std::string>();
  if (const char* env = std::getenv("TESSERA_MASTERS"); env != nullptr) sources.env = env;
  if (vm.count("config")) sources.config_flag = vm["config"].as<std::string>();
  if (const char* env = std::getenv("TESSERA_CONFIG"); env != nullptr) sources.config_env = env;
  Result<ResolvedMasters> resolved = ResolveMasters(sources);
  const bool wants_help =
      std::find_if(command_args.begin(), command_args.end(), [](const std::string& arg) {
        return arg == "--help" || arg == "-h";
      }) != command_args.end();
  // Help needs no masters: a broken config file must not hide it.
  if (!resolved.ok() && wants_help) resolved = ResolvedMasters{};
  if (!resolved.ok()) return UsageError(resolved.status().message());

  GlobalOptions global;
  global.masters = std::move(resolved->masters);
  // An explicit --timeout-ms beats the config file, which beats the default.
  global.timeout_ms = vm["timeout-ms"].defaulted() && resolved->timeout_ms
                          ? *resolved->timeout_ms
                          : vm["timeout-ms"].as<int>();
  if (global.timeout_ms < 1 || global.timeout_ms > 3600 * 1000) {
    return UsageError("--timeout-ms must be 1..3600000");
  }
  LOG(kDebug, "cli") << "masters from " << resolved->source;

  if (command == "status") return RunStatus(global, command_args);
  if (command == "master") return RunMaster(global, command_args);
  if (command == "fsck") return RunFsck(global, command_args);
  if (command == "goal") return RunGoal(global, command_args);
  if (command == "fileinfo") return RunFileInfo(global, command_args);
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
