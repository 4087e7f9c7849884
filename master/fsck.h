// `tessera fsck`: walks the namespace under a path and lists the chunks whose live replicas
// (at their current version) fall short of their file's goal. Reads only; the answer is the
// leader's view of the chunk servers' reports at the time of the walk.
#pragma once

#include <string_view>

#include "common/status.h"
#include "gen-cpp/tessera_types.h"
#include "master/chunk_server_registry.h"
#include "master/state_machine.h"

namespace tessera::master {

// At most this many problem chunks are listed (the counts cover all of them).
inline constexpr size_t kMaxFsckProblems = 1000;

// `path` is absolute ("/" for the whole namespace); kNotFound when it does not exist,
// kInvalidArgument when it is not an absolute path of valid names.
Result<rpc::FsckReply> RunFsck(const StateMachine& state, const ChunkServerRegistry& registry,
                               std::string_view path);

}  // namespace tessera::master
