// ZeroCutChunkTail: before a file shrinks to a size inside a chunk, the bytes of that chunk
// from the new size up to the old size are overwritten with zeros on every replica.
//
// Why: the master frees only the chunks lying wholly past the new size; the chunk that is cut
// keeps its bytes past the end on the chunk servers. Reads stop at the size, so they are hidden
// until the file grows again (truncate up, a write past the end, fallocate, an append), when
// they would reappear where POSIX promises zeros. Zeroing before the size changes means a crash
// between the two steps leaves zeros only in bytes that were being cut off anyway. (Bytes a
// crashed writer sent but never committed past the size are not covered: they were never part
// of the file, and no client tracks them.) The cost is bounded by the bytes cut
// from that one chunk (at most 64 MiB), written synced and without commit (the size does not
// move).
//
// Thread-safety: stateless; safe from any thread. REQUIRES: the file's writers in this process
// are flushed (their later commit would otherwise grow the file over the zeros).
#pragma once

#include <cstdint>

#include "client/client_services.h"
#include "common/status.h"

namespace tessera::client {

// No-op unless 0 < new_size < old_size and new_size is not on a chunk boundary, or when the cut
// chunk was never written (a hole).
Status ZeroCutChunkTail(const ClientServices& services, const Caller& caller, int64_t inode,
                        int64_t old_size, int64_t new_size);

}  // namespace tessera::client
