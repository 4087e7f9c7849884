// What every `tessera` subcommand shares: the global options and the exit-code contract.
//
// Exit codes: 0 success, 1 the cluster could not be asked or refused the request (the message
// says which), 2 bad usage, 3 the cluster answered that it is not healthy (fsck).
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

// A client of the master group for one command. `slow_call_ms` is added to the I/O timeout for
// calls that take long on the master (a membership change waits for a commit, fsck walks).
// REQUIRES: global.masters is not empty.
std::unique_ptr<MasterClient> ConnectToMasters(const GlobalOptions& global, int slow_call_ms);

}  // namespace tessera::client::cli
