// Renders rpc::ClusterStatus for `tessera status`: a human table or JSON. Pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "gen-cpp/tessera_types.h"

namespace tessera::client::cli {

// What an operator must look at: unreachable masters, dead chunk servers, failed disks.
// Draining is not a problem (the operator asked for it).
struct ClusterHealth {
  bool healthy = true;
  std::vector<std::string> problems;  // one sentence each, e.g. "chunk server 3 is dead"
};
ClusterHealth AssessHealth(const rpc::ClusterStatus& status);

std::string FormatClusterStatusText(const rpc::ClusterStatus& status);
std::string FormatClusterStatusJson(const rpc::ClusterStatus& status);
// The masters alone, for `tessera master members`.
std::string FormatMastersText(const std::vector<rpc::MasterStatus>& masters);
std::string FormatMastersJson(const std::vector<rpc::MasterStatus>& masters);

// "1.5 GiB", "512 B".
std::string HumanBytes(int64_t bytes);
// A JSON string literal with quotes, escaping quotes, backslashes and control characters.
std::string JsonString(const std::string& text);

}  // namespace tessera::client::cli
