// Checks of every field of the chunk server's RPC requests (DESIGN.md, "Bad input"). Pure
// functions, thread-safe. A failure is kInvalidArgument naming the field.
#pragma once

#include <vector>

#include "common/status.h"
#include "gen-cpp/tessera_types.h"

namespace tessera {

inline constexpr size_t kMaxDownstreamReplicas = 16;
inline constexpr size_t kMaxReplicationSources = 16;

Status ValidateWriteRequest(const rpc::WriteChunkRequest& request);
Status ValidateReadRequest(const rpc::ReadChunkRequest& request);
Status ValidateSyncRequest(const rpc::SyncChunkRequest& request);
Status ValidateReplicateRequest(const rpc::ReplicateChunkRequest& request);
Status ValidateDownstream(const std::vector<rpc::ChunkServerAddress>& downstream);

}  // namespace tessera
