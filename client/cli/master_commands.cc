#include "client/cli/master_commands.h"

#include <boost/program_options.hpp>
#include <iostream>
#include <memory>

#include "client/cli/cluster_status_format.h"
#include "client/master_client.h"

namespace po = boost::program_options;

namespace tessera::client::cli {
namespace {

constexpr char kMasterUsage[] =
    "Usage: tessera [GLOBAL OPTIONS] master COMMAND\n"
    "\n"
    "Commands:\n"
    "  members [--json]          list the masters: id, address, role, voter, term, last index\n"
    "  add ID HOST:PORT [--json] add a master (started with --join) to the group; it catches\n"
    "                            up as a learner and then becomes a voter\n"
    "  remove ID [--json]        remove a master from the group (then stop it)\n"
    "  transfer-leader [ID] [--json]\n"
    "                            hand the leadership to master ID (default: the most\n"
    "                            up-to-date one)\n";

// A master id as typed by the operator: a decimal number > 0.
bool ParseMasterId(const std::string& text, int64_t* id) {
  if (text.empty() || text.size() > 18) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  *id = std::stoll(text);
  return *id > 0;
}

std::unique_ptr<MasterClient> Connect(const GlobalOptions& global) {
  // Membership changes wait for a commit; give them the master's own request deadline.
  return ConnectToMasters(global, 10000);
}

int Failed(const std::string& what, const Status& status) {
  std::cerr << "tessera: " << what << ": " << status.ToString() << "\n";
  return kExitFailed;
}

int Members(const GlobalOptions& global, const std::vector<std::string>& args) {
  bool json = false;
  for (const std::string& arg : args) {
    if (arg == "--json") {
      json = true;
    } else {
      return UsageError("master members: unexpected argument '" + arg + "'");
    }
  }
  Result<rpc::ClusterStatus> status = Connect(global)->ClusterStatus();
  if (!status.ok()) return Failed("cannot list the masters", status.status());
  std::cout << (json ? FormatMastersJson(status->masters) + "\n"
                     : FormatMastersText(status->masters));
  return kExitOk;
}

// {"ok":true,"action":"add","id":4}: what add, remove and transfer-leader print with --json.
void PrintDoneJson(const std::string& action, int64_t id) {
  std::cout << "{\"ok\":true,\"action\":" << JsonString(action) << ",\"id\":" << id << "}\n";
}

int Add(const GlobalOptions& global, const std::vector<std::string>& args, bool json) {
  int64_t id = 0;
  if (args.size() != 2 || !ParseMasterId(args[0], &id)) {
    return UsageError("usage: tessera master add ID HOST:PORT (ID > 0)");
  }
  Result<HostPort> address = ParseHostPort(args[1]);
  if (!address.ok()) return UsageError("master add: " + address.status().message());
  Status added = Connect(global)->AddMaster(id, *address);
  if (!added.ok()) return Failed("cannot add master " + args[0], added);
  if (json) {
    PrintDoneJson("add", id);
    return kExitOk;
  }
  std::cout << "master " << id << " at " << address->ToString()
            << " added; it becomes a voter once it has caught up\n";
  return kExitOk;
}

int Remove(const GlobalOptions& global, const std::vector<std::string>& args, bool json) {
  int64_t id = 0;
  if (args.size() != 1 || !ParseMasterId(args[0], &id)) {
    return UsageError("usage: tessera master remove ID (ID > 0)");
  }
  Status removed = Connect(global)->RemoveMaster(id);
  if (!removed.ok()) return Failed("cannot remove master " + args[0], removed);
  if (json) {
    PrintDoneJson("remove", id);
    return kExitOk;
  }
  std::cout << "master " << id << " removed from the group; it can be stopped now\n";
  return kExitOk;
}

int TransferLeader(const GlobalOptions& global, const std::vector<std::string>& args,
                   bool json) {
  int64_t id = 0;
  if (args.size() > 1 || (args.size() == 1 && !ParseMasterId(args[0], &id))) {
    return UsageError("usage: tessera master transfer-leader [ID] (ID > 0)");
  }
  Status transferred = Connect(global)->TransferLeader(id);
  if (!transferred.ok()) return Failed("cannot transfer the leadership", transferred);
  if (json) {
    PrintDoneJson("transfer-leader", id);
    return kExitOk;
  }
  std::cout << "leadership hand-over to "
            << (id == 0 ? std::string("the most up-to-date master") : "master " + args[0])
            << " started; it completes within an election timeout\n";
  return kExitOk;
}

}  // namespace

int RunMaster(const GlobalOptions& global, const std::vector<std::string>& args) {
  if (args.empty()) return UsageError("master: no command given (members, add, remove, transfer-leader)");
  const std::string& command = args[0];
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  for (const std::string& arg : rest) {
    if (arg == "--help" || arg == "-h") {
      std::cout << kMasterUsage;
      return kExitOk;
    }
  }
  if (command == "--help" || command == "-h" || command == "help") {
    std::cout << kMasterUsage;
    return kExitOk;
  }
  if (global.masters.empty()) {
    return NoMastersError();
  }
  if (command == "members") return Members(global, rest);
  std::vector<std::string> words = rest;
  const bool json = std::erase(words, std::string("--json")) > 0;
  if (command == "add") return Add(global, words, json);
  if (command == "remove") return Remove(global, words, json);
  if (command == "transfer-leader") return TransferLeader(global, words, json);
  return UsageError("master: unknown command '" + command + "'");
}

}  // namespace tessera::client::cli
