// Client sessions: the state machine remembers the last reply of every client session, so that
// a request retried after a master failover is answered with its first reply instead of being
// applied twice (create, rename and unlink are not idempotent).
//
// A session is a client id; the client library never has two mutating requests of one client id
// in flight (client/request_context.h), so its sequence numbers arrive in order and the last
// reply is the only one a retry can ask for. Records live in the namespace database ("S" keys),
// are written in the same batch as the command's effect and travel in snapshots, so every
// replica answers a retry the same way. Pure functions over the store; thread-safety as the store.
#pragma once

#include <leveldb/write_batch.h>

#include <cstdint>
#include <optional>

#include "common/status.h"
#include "master/apply_result.h"
#include "master/meta_store.h"

namespace tessera::master {

// The outcome already decided for (client_id, sequence), if any: the stored reply when the
// request is the session's last one, an InvalidArgument when a newer request superseded it.
// nullopt when the request is new. REQUIRES: client_id > 0, sequence > 0.
Result<std::optional<Result<ApplyResult>>> FindDecidedRequest(const MetaStore& store,
                                                              int64_t client_id, int64_t sequence);

// Adds the record of `outcome` as the session's last reply to `batch`.
void RecordReply(leveldb::WriteBatch* batch, int64_t client_id, int64_t sequence,
                 const Result<ApplyResult>& outcome);

}  // namespace tessera::master
