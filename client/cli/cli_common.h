// What every `tessera` subcommand shares: the global options and the exit-code contract.
//
// Exit codes, the same for every subcommand (README "CLI reference"):
//   0 success;
//   1 the cluster could not be asked or refused the request (the message on stderr says which);
//   2 bad usage: unknown command or option, bad value, no masters configured, bad config file;
//   3 the cluster answered and is not healthy (fsck, fileinfo, status --check).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "client/master_client.h"
#include "common/address.h"

namespace tessera::client::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitUnhealthy = 3;

struct GlobalOptions {
  std::vector<HostPort> masters;
  int timeout_ms = 5000;
};

// Prints "tessera: MESSAGE" and a hint to stderr; returns kExitUsage.
int UsageError(const std::string& message);
// The usage error of a command that needs masters when no source named any (cli_config.h).
int NoMastersError();

// A client of the master group for one command. `slow_call_ms` is added to the I/O timeout for
// calls that take long on the master (a membership change waits for a commit, fsck walks).
// REQUIRES: global.masters is not empty.
std::unique_ptr<MasterClient> ConnectToMasters(const GlobalOptions& global, int slow_call_ms);

}  // namespace tessera::client::cli
