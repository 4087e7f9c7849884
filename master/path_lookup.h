// Resolves an absolute path name by name from the root, for the operators' path-based RPCs
// (fsck, fileInfo). Reads only; thread-safety as StateMachine's reads.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "gen-cpp/tessera_types.h"
#include "master/state_machine.h"

namespace tessera::master {

struct ResolvedPath {
  rpc::Attr attr;
  std::string path;  // normalized: "/" or "/a/b", no empty components
};

// kInvalidArgument when `path` is not absolute, longer than 4096 bytes or holds an invalid
// name; kNotFound (or kNotDirectory) from the lookups.
Result<ResolvedPath> ResolveAbsolutePath(const StateMachine& state, std::string_view path);

}  // namespace tessera::master
