// `tessera fileinfo PATH`: every chunk of one regular file with the replicas the leader knows,
// each marked live, stale or dead. Reads only; the answer is the leader's view at the time.
#pragma once

#include <cstddef>
#include <string_view>

#include "common/status.h"
#include "gen-cpp/tessera_types.h"
#include "master/chunk_server_registry.h"
#include "master/state_machine.h"

namespace tessera::master {

// At most this many chunks are listed (640 GiB of file); FileInfoReply::truncated says more.
inline constexpr size_t kMaxFileInfoChunks = 10000;

// kInvalidArgument for a bad path or one naming neither a regular file nor a directory,
// kIsDirectory for a directory, kNotFound when it does not exist.
Result<rpc::FileInfoReply> BuildFileInfo(const StateMachine& state,
                                         const ChunkServerRegistry& registry,
                                         std::string_view path);

}  // namespace tessera::master
