// Checks of RPC arguments, done at the RPC edge before anything else sees them. Each returns
// kInvalidArgument (or kNameTooLong) with a message naming the bad field. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "gen-cpp/tessera_types.h"

namespace tessera::master {

// Most chunk records one getChunks call returns.
inline constexpr int32_t kMaxChunksPerCall = 4096;
// Most chunk reports accepted in one call (a server with 256 TiB of 64 MiB chunks).
inline constexpr size_t kMaxChunkReports = size_t{4} << 20;

Status ValidateContext(const rpc::RequestContext& ctx);
Status ValidateInode(int64_t inode, std::string_view field = "inode");
Status ValidateMode(int32_t mode);
Status ValidateChunkIndex(int64_t chunk_index);
Status ValidateSetAttr(const rpc::SetAttrRequest& request);
Status ValidateChunkServerInfo(const rpc::ChunkServerInfo& info);
Status ValidateChunkServerStats(const rpc::ChunkServerStats& stats);
Status ValidateChunkReports(const std::vector<rpc::ChunkReport>& reports);
Status ValidateChunkIds(const std::vector<int64_t>& chunk_ids);

}  // namespace tessera::master
