#include "client/cli/fileinfo_command.h"

#include <iostream>
#include <memory>

#include "client/cli/fileinfo_format.h"
#include "client/master_client.h"

namespace tessera::client::cli {
namespace {

constexpr char kFileInfoUsage[] =
    "Usage: tessera [--masters H:P,...] fileinfo PATH [--json]\n"
    "Shows each chunk of the file at PATH (absolute): chunk id, version, length, and each\n"
    "replica as server_id@address with its state: live (serves reads), stale (an older\n"
    "version, to be deleted) or dead (its server misses heartbeats).\n"
    "Exit code 0: every chunk has its goal of live copies, 3: some chunk has fewer.\n";

}  // namespace

int RunFileInfo(const GlobalOptions& global, const std::vector<std::string>& args) {
  std::string path;
  bool json = false;
  for (const std::string& arg : args) {
    if (arg == "--help" || arg == "-h") {
      std::cout << kFileInfoUsage;
      return kExitOk;
    }
  }
  for (const std::string& arg : args) {
    if (arg == "--json") {
      json = true;
    } else if (!arg.empty() && arg.front() == '-') {
      return UsageError("fileinfo: unknown option '" + arg + "'");
    } else if (!path.empty()) {
      return UsageError("fileinfo: one PATH only, got '" + path + "' and '" + arg + "'");
    } else if (arg.empty() || arg.front() != '/') {
      return UsageError("fileinfo: PATH must be absolute, got '" + arg + "'");
    } else {
      path = arg;
    }
  }
  if (path.empty()) return UsageError("fileinfo: PATH missing (tessera fileinfo PATH)");
  if (global.masters.empty()) return NoMastersError();
  std::unique_ptr<MasterClient> master = ConnectToMasters(global, 10000);
  Result<rpc::FileInfoReply> info = master->FileInfo(path);
  if (!info.ok()) {
    std::cerr << "tessera: fileinfo " << path << ": " << info.status().ToString() << "\n";
    return kExitFailed;
  }
  std::cout << (json ? FormatFileInfoJson(*info) : FormatFileInfoText(*info));
  return FileFullyReplicated(*info) ? kExitOk : kExitUnhealthy;
}

}  // namespace tessera::client::cli
