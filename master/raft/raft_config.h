// Tuning of a Raft node, in ticks (the caller's Tick() period) and bytes. Defaults suit the
// daemon's 50 ms tick: heartbeats every 100 ms, elections after 0.5 to 1 s of silence.
#pragma once

#include <cstdint>

#include "common/status.h"

namespace tessera::raft {

struct RaftConfig {
  // A follower campaigns after a randomized [T, 2T) ticks without hearing from a leader. A
  // leader steps down when it has not heard from a quorum for T ticks (check-quorum), and a
  // voter that heard from a leader within T ticks ignores (pre)votes (leader stickiness).
  int election_timeout_ticks = 10;
  // A leader sends heartbeats every this many ticks. REQUIRES: < election_timeout_ticks.
  int heartbeat_ticks = 2;
  // Limits of one Append message.
  uint64_t max_append_entries = 256;
  uint64_t max_append_bytes = 1 << 20;
  // Append messages sent to one peer without a reply, once the peer's log is known to match.
  int max_inflight_appends = 16;
  // Size of one InstallSnapshot chunk.
  uint64_t snapshot_chunk_bytes = 1 << 20;
  // The log is compacted once this many applied entries follow the last snapshot.
  uint64_t compaction_threshold_entries = 10000;

  // InvalidArgument naming the first bad field.
  Status Validate() const;
};

}  // namespace tessera::raft
