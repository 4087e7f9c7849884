#include "client/cli/goal_command.h"

#include <iostream>
#include <memory>
#include <utility>

#include "client/cli/cluster_status_format.h"
#include "client/master_client.h"
#include "common/names.h"

namespace tessera::client::cli {
namespace {

constexpr char kGoalUsage[] =
    "Usage: tessera [--masters H:P,...] goal get PATH [--json]\n"
    "       tessera [--masters H:P,...] goal set PATH N [-r] [--json]\n"
    "N is 1..16 replicas. On a directory it is the goal of what is created there from now on;\n"
    "-r also sets every file and directory below PATH.\n";

// The attributes of an absolute path, looked up name by name from the root.
Result<rpc::Attr> Resolve(MasterClient& master, const std::string& path) {
  if (path.empty() || path.front() != '/') {
    return Status::InvalidArgument("PATH must be absolute: '" + path + "'");
  }
  ASSIGN_OR_RETURN(rpc::Attr attr, master.GetAttr(Caller{}, kRootInode));
  size_t begin = 1;
  while (begin < path.size()) {
    size_t end = path.find('/', begin);
    if (end == std::string::npos) end = path.size();
    const std::string name = path.substr(begin, end - begin);
    begin = end + 1;
    if (name.empty()) continue;
    ASSIGN_OR_RETURN(attr, master.Lookup(Caller{}, attr.inode, name));
  }
  return attr;
}

// Sets `goal` on `attr` and, with `recursive`, on everything below it. Counts what it set.
Status SetTree(MasterClient& master, const rpc::Attr& attr, int32_t goal, bool recursive,
               int64_t* count) {
  RETURN_IF_ERROR(master.SetGoal(Caller{}, attr.inode, goal).status());
  ++*count;
  if (!recursive || attr.type != rpc::FileType::DIRECTORY) return Status::Ok();
  std::string after;
  for (;;) {
    ASSIGN_OR_RETURN(rpc::ReaddirReply listing,
                     master.Readdir(Caller{}, attr.inode, after, 1000, false));
    for (const rpc::DirEntry& entry : listing.entries) {
      after = entry.name;
      if (entry.type != rpc::FileType::REGULAR && entry.type != rpc::FileType::DIRECTORY) continue;
      rpc::Attr child;
      child.inode = entry.inode;
      child.type = entry.type;
      RETURN_IF_ERROR(SetTree(master, child, goal, recursive, count));
    }
    if (listing.eof || listing.entries.empty()) return Status::Ok();
  }
}

int Failed(const std::string& what, const Status& status) {
  std::cerr << "tessera: " << what << ": " << status.ToString() << "\n";
  return kExitFailed;
}

}  // namespace

int RunGoal(const GlobalOptions& global, const std::vector<std::string>& args) {
  for (const std::string& arg : args) {
    if (arg == "--help" || arg == "-h") {
      std::cout << kGoalUsage;
      return kExitOk;
    }
  }
  if (args.empty() || (args[0] != "get" && args[0] != "set")) {
    return UsageError("goal: say 'get PATH' or 'set PATH N [-r]'");
  }
  const bool set = args[0] == "set";
  std::vector<std::string> rest(args.begin() + 1, args.end());
  bool recursive = false;
  bool json = false;
  std::erase_if(rest, [&](const std::string& arg) {
    if (arg == "--json") return json = true;
    if (arg != "-r" && arg != "--recursive") return false;
    recursive = true;
    return true;
  });
  for (const std::string& arg : rest) {
    if (arg.size() > 1 && arg.front() == '-') {
      return UsageError("goal: unknown option '" + arg + "'");
    }
  }
  if (rest.size() != (set ? 2u : 1u) || (!set && recursive)) return UsageError(kGoalUsage);
  if (rest[0].empty() || rest[0].front() != '/') {
    return UsageError("goal: PATH must be absolute, got '" + rest[0] + "'");
  }
  int32_t goal = 0;
  if (set) {
    const std::string& text = rest[1];
    if (text.empty() || text.size() > 2 ||
        text.find_first_not_of("0123456789") != std::string::npos ||
        (goal = std::stoi(text)) < 1 || goal > kMaxGoal) {
      return UsageError("goal set: N must be 1.." + std::to_string(kMaxGoal) + ", got '" + text +
                        "'");
    }
  }
  if (global.masters.empty()) {
    return NoMastersError();
  }
  std::unique_ptr<MasterClient> connection = ConnectToMasters(global, 10000);
  MasterClient& master = *connection;
  Result<rpc::Attr> attr = Resolve(master, rest[0]);
  if (!attr.ok()) return Failed("goal " + rest[0], attr.status());
  if (!set) {
    if (json) {
      std::cout << "{\"path\":" << JsonString(rest[0]) << ",\"inode\":" << attr->inode
                << ",\"goal\":" << attr->goal << "}\n";
    } else {
      std::cout << rest[0] << ": " << attr->goal << "\n";
    }
    return kExitOk;
  }
  int64_t count = 0;
  Status done = SetTree(master, *attr, goal, recursive, &count);
  if (!done.ok()) return Failed("goal set " + rest[0], done);
  if (json) {
    std::cout << "{\"path\":" << JsonString(rest[0]) << ",\"goal\":" << goal
              << ",\"entries_set\":" << count << ",\"recursive\":" << (recursive ? "true" : "false")
              << "}\n";
    return kExitOk;
  }
  std::cout << rest[0] << ": goal " << goal << " (" << count << (count == 1 ? " entry" : " entries")
            << " set); replicas follow in the background\n";
  return kExitOk;
}

}  // namespace tessera::client::cli
