// `tessera decommission`: drains a chunk server (every replica moves to other servers while it
// keeps serving reads) and waits until it can be switched off, showing progress.
//
//   decommission SERVER_ID [--no-wait] [--interval-ms N] [--json]
//   decommission SERVER_ID --cancel
//   decommission --status [SERVER_ID] [--json]
//
// Exit codes (cli_common.h): 0 done (or started, with --no-wait), 1 refused or the masters could
// not be reached, or the draining was cancelled meanwhile; 2 bad usage.
#pragma once

#include <string>
#include <vector>

#include "client/cli/cli_common.h"

namespace tessera::client::cli {

int RunDecommission(const GlobalOptions& global, const std::vector<std::string>& args);

}  // namespace tessera::client::cli
