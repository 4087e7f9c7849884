// The one way namespace changes enter the master: propose a command, get what applying it did.
//
// The proposer fills in everything non-deterministic (new inode numbers, chunk ids, times)
// before the command is logged, so every replica applies the very same entry. The local
// implementation (local_command_log.h) applies at once; a Raft implementation replaces it
// without the RPC handler noticing. Implementations are thread-safe.
#pragma once

#include <cstdint>

#include "common/status.h"
#include "master/apply_result.h"
#include "master/records.h"

namespace tessera::master {

class CommandLog {
 public:
  virtual ~CommandLog() = default;
  // Fills in ids and times, logs and applies `command`. Returns the apply outcome: a refused
  // command (EEXIST, ...) comes back as its Status; kNotLeader when this replica cannot propose.
  virtual Result<ApplyResult> Propose(MetaCommand command) = 0;
  virtual int64_t AppliedIndex() const = 0;
  // Every entry applied before the call is on stable storage when it returns (fsync, fsyncdir).
  virtual Status SyncApplied() = 0;
};

}  // namespace tessera::master
