// `tessera master members|add|remove|transfer-leader`: the operator's hands on the Raft group.
#pragma once

#include <string>
#include <vector>

#include "client/cli/cli_common.h"

namespace tessera::client::cli {

// `args` follow the word "master". Returns an exit code (cli_common.h).
int RunMaster(const GlobalOptions& global, const std::vector<std::string>& args);

}  // namespace tessera::client::cli
