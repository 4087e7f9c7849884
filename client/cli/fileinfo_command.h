// `tessera fileinfo PATH [--json]`: each chunk of a file, its id, version and length, and where
// its replicas are with their state (live, stale, dead).
//
// Exit codes (cli_common.h): 0 every chunk has its goal of live copies, 3 some chunk is under
// goal or missing, 1 the path does not exist or is not a file, or no master answered; 2 usage.
#pragma once

#include <string>
#include <vector>

#include "client/cli/cli_common.h"

namespace tessera::client::cli {

int RunFileInfo(const GlobalOptions& global, const std::vector<std::string>& args);

}  // namespace tessera::client::cli
