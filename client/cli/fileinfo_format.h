// Renders rpc::FileInfoReply for `tessera fileinfo`: a table per chunk or JSON. Pure functions.
#pragma once

#include <string>

#include "gen-cpp/tessera_types.h"

namespace tessera::client::cli {

// Whether every chunk has at least `goal` live copies.
bool FileFullyReplicated(const rpc::FileInfoReply& info);

std::string FormatFileInfoText(const rpc::FileInfoReply& info);
std::string FormatFileInfoJson(const rpc::FileInfoReply& info);

}  // namespace tessera::client::cli
