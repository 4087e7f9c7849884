// `tessera goal get PATH` and `tessera goal set PATH N [-r]`: replicas wanted per file. Setting
// it on a directory makes it the goal of what is created there later; -r also sets every file
// and directory below. The replication manager brings existing chunks to the new goal.
#pragma once

#include <string>
#include <vector>

#include "client/cli/cli_common.h"

namespace tessera::client::cli {

int RunGoal(const GlobalOptions& global, const std::vector<std::string>& args);

}  // namespace tessera::client::cli
