// What applying one log command produced, handed back to whoever proposed it.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "gen-cpp/tessera_types.h"
#include "master/records.h"

namespace tessera::master {

struct ApplyResult {
  // The entry's index was already applied (a replay after restart): nothing changed.
  bool already_applied = false;
  // Attributes of the inode the command created or changed (mkdir, create, setattr, commit).
  std::optional<rpc::Attr> attr;
  // Chunk ids no longer referenced by any file: their replicas must be deleted.
  std::vector<int64_t> freed_chunk_ids;
  // allocate_chunk: the chunk now stored at the requested index, and whether this command
  // created it (false when it existed already).
  std::optional<ChunkRecord> chunk;
  bool chunk_created = false;
};

}  // namespace tessera::master
