// `tessera fsck [PATH] [--json]`: files whose chunks are under goal or missing; the exit code
// says whether the cluster is healthy (0) or not (3, cli_common.h).
#pragma once

#include <string>
#include <vector>

#include "client/cli/cli_common.h"
#include "gen-cpp/tessera_types.h"

namespace tessera::client::cli {

int RunFsck(const GlobalOptions& global, const std::vector<std::string>& args);

std::string FormatFsckText(const rpc::FsckReply& reply);
std::string FormatFsckJson(const rpc::FsckReply& reply);

}  // namespace tessera::client::cli
