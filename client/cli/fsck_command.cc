#include "client/cli/fsck_command.h"

#include <iostream>
#include <sstream>

#include "client/cli/cluster_status_format.h"
#include "client/master_client.h"

namespace tessera::client::cli {
namespace {

bool Healthy(const rpc::FsckReply& reply) {
  return reply.chunks_under_goal == 0 && reply.chunks_missing == 0;
}

}  // namespace

std::string FormatFsckText(const rpc::FsckReply& reply) {
  std::ostringstream out;
  for (const rpc::FsckChunk& problem : reply.problems) {
    out << problem.path << ": chunk " << problem.chunk_index << " (id " << problem.chunk_id
        << ") " << problem.state << ": " << problem.live_copies << " of " << problem.goal
        << " copies\n";
  }
  if (reply.truncated) out << "(more problems than listed)\n";
  out << reply.files << " files, " << reply.chunks << " chunks: " << reply.chunks_under_goal
      << " under goal, " << reply.chunks_missing << " missing -> "
      << (Healthy(reply) ? "HEALTHY" : "NOT HEALTHY") << "\n";
  return out.str();
}

std::string FormatFsckJson(const rpc::FsckReply& reply) {
  std::ostringstream out;
  out << "{\"healthy\":" << (Healthy(reply) ? "true" : "false") << ",\"files\":" << reply.files
      << ",\"chunks\":" << reply.chunks << ",\"chunks_under_goal\":" << reply.chunks_under_goal
      << ",\"chunks_missing\":" << reply.chunks_missing
      << ",\"truncated\":" << (reply.truncated ? "true" : "false") << ",\"problems\":[";
  for (size_t i = 0; i < reply.problems.size(); ++i) {
    const rpc::FsckChunk& problem = reply.problems[i];
    out << (i ? "," : "") << "{\"path\":" << JsonString(problem.path)
        << ",\"inode\":" << problem.inode << ",\"chunk_index\":" << problem.chunk_index
        << ",\"chunk_id\":" << problem.chunk_id << ",\"live_copies\":" << problem.live_copies
        << ",\"goal\":" << problem.goal << ",\"state\":" << JsonString(problem.state) << "}";
  }
  out << "]}\n";
  return out.str();
}

int RunFsck(const GlobalOptions& global, const std::vector<std::string>& args) {
  std::string path = "/";
  bool json = false;
  bool path_given = false;
  for (const std::string& arg : args) {
    if (arg == "--help" || arg == "-h") {
      std::cout << "Usage: tessera [--masters H:P,...] fsck [PATH] [--json]\n"
                   "Lists the chunks of files under PATH (default /) that have fewer live\n"
                   "copies than their goal. Exit code 0: healthy, 3: not healthy.\n";
      return kExitOk;
    }
    if (arg == "--json") {
      json = true;
    } else if (!path_given && !arg.empty() && arg.front() == '/') {
      path = arg;
      path_given = true;
    } else {
      return UsageError("fsck: unexpected argument '" + arg + "' (PATH must be absolute)");
    }
  }
  if (global.masters.empty()) {
    return NoMastersError();
  }
  // A walk of a big namespace takes a while.
  std::unique_ptr<MasterClient> master = ConnectToMasters(global, 60000);
  Result<rpc::FsckReply> reply = master->Fsck(path);
  if (!reply.ok()) {
    std::cerr << "tessera: fsck " << path << ": " << reply.status().ToString() << "\n";
    return kExitFailed;
  }
  std::cout << (json ? FormatFsckJson(*reply) : FormatFsckText(*reply));
  return Healthy(*reply) ? kExitOk : kExitUnhealthy;
}

}  // namespace tessera::client::cli
