// `tessera balance`: moves replicas from the fullest to the emptiest chunk servers until every
// server's use is within a threshold of the mean (master/balancer.h), showing progress.
//
//   balance [--threshold PCT] [--bandwidth MB/s] [--no-wait] [--interval-ms N] [--json]
//   balance --status [--json]
//   balance --stop
//
// The start is recorded in the masters' log, so a new leader goes on with the balance (its
// progress counts start again from zero). Exit codes (cli_common.h): 0 balanced (or
// started, with --no-wait), 1 refused, stopped meanwhile or the masters could not be reached,
// 2 bad usage.
#pragma once

#include <string>
#include <vector>

#include "client/cli/cli_common.h"

namespace tessera::client::cli {

int RunBalance(const GlobalOptions& global, const std::vector<std::string>& args);

}  // namespace tessera::client::cli
