// The chunk server's identity: a random 64-bit id in [1, 2^63) kept as decimal text in
// DATA_DIR/server_id of every data directory, so that the master recognises the server across
// restarts and address changes.
//
// Not thread-safe; called once at start-up.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"

namespace tessera {

// Reads the id from the directories that have one (they must agree: kCorruption otherwise),
// creates a fresh id when none has, and writes it to every directory that lacks it.
Result<int64_t> LoadOrCreateServerId(const std::vector<std::string>& data_dirs);

}  // namespace tessera
