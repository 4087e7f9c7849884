// Renders rpc::ClusterStatus for `tessera status`: a human table or JSON. Pure functions.
#pragma once

#include <cstdint>
#include <string>

#include "gen-cpp/tessera_types.h"

namespace tessera::client::cli {

std::string FormatClusterStatusText(const rpc::ClusterStatus& status);
std::string FormatClusterStatusJson(const rpc::ClusterStatus& status);

// "1.5 GiB", "512 B".
std::string HumanBytes(int64_t bytes);
// A JSON string literal with quotes, escaping quotes, backslashes and control characters.
std::string JsonString(const std::string& text);

}  // namespace tessera::client::cli
