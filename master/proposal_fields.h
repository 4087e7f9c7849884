// What the proposer of a command decides before it is logged: new inode numbers, chunk ids and
// times. Applying a command never reads a clock or picks an id (master_state.thrift), so every
// replica applies the very same entry.
#pragma once

#include <cstdint>

#include "master/records.h"

namespace tessera::master {

// The next ids a proposer hands out. The leader starts it from the applied counters once every
// entry of earlier terms is applied, and advances it with every proposal, so ids of entries in
// flight never collide; an id given to an entry that is then refused is simply never used.
struct IdCursor {
  int64_t next_inode = 0;
  int64_t next_chunk_id = 0;
};

// Fills the proposer's fields of `command`: ids from `ids` (advanced past what it took) and
// now_ns as the entry's time.
void FillProposerFields(MetaCommand* command, int64_t now_ns, IdCursor* ids);

}  // namespace tessera::master
