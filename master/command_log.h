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

// Who asked for a command: a client session (client_id, sequence; both > 0), or the master
// itself (both 0). A session's request is applied at most once (master/client_sessions.h).
struct RequestOrigin {
  int64_t client_id = 0;
  int64_t sequence = 0;
};

// This replica's current term of office as leader.
struct LeaderTenure {
  int64_t term = 0;
  int64_t since_monotonic_ns = 0;  // when it became leader (Clock::NowMonotonicNanos)
};

class CommandLog {
 public:
  virtual ~CommandLog() = default;
  // Fills in ids and times, logs and applies `command`. Returns the apply outcome: a refused
  // command (EEXIST, ...) comes back as its Status; kNotLeader (message: the leader's address,
  // or empty) when this replica cannot propose; kUnavailable when the outcome is unknown (the
  // leader lost its office before the entry committed; a retry with the same origin is safe).
  virtual Result<ApplyResult> Propose(RequestOrigin origin, MetaCommand command) = 0;
  Result<ApplyResult> Propose(MetaCommand command) { return Propose({}, std::move(command)); }
  // Returns once the local state reflects every mutation acknowledged anywhere before the call,
  // so that a read served next is linearizable. kNotLeader as for Propose.
  virtual Status ReadBarrier() = 0;
  // The tenure when this replica leads; kNotLeader (with the leader's address) otherwise. Soft
  // state such as chunk server reports is rebuilt by each new leader from its tenure's start.
  virtual Result<LeaderTenure> CheckLeader() const = 0;
  virtual int64_t AppliedIndex() const = 0;
  // Every entry applied before the call is on stable storage when it returns (fsync, fsyncdir).
  virtual Status SyncApplied() = 0;
};

}  // namespace tessera::master
