// Renders rpc::ClusterStatus for `tessera status`: a human table or JSON. Pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "gen-cpp/tessera_types.h"

namespace tessera::client::cli {

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
