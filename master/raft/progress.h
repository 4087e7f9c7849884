// What a leader knows about one peer's log, and how it feeds it (thesis 3.5 and 10.2).
//
// kProbe: the leader does not know where the logs agree; one Append at a time, the next one
// after a reply or a heartbeat. kReplicate: the logs agree through `match`; Appends are pipelined
// up to the in-flight limit. kSnapshot: the entries the peer needs were compacted away; the
// leader streams a snapshot, one chunk at a time.
// Owned by RaftCore's leader state; not thread-safe.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>

#include "master/raft/raft_state_machine.h"
#include "master/raft/raft_types.h"

namespace tessera::raft {

enum class ProgressMode : uint8_t { kProbe = 0, kReplicate = 1, kSnapshot = 2 };

std::string_view ProgressModeName(ProgressMode mode);

struct Progress {
  LogIndex match = 0;
  LogIndex next = 1;
  ProgressMode mode = ProgressMode::kProbe;
  // kProbe: an Append is out; wait for its reply or the next heartbeat.
  bool probe_sent = false;
  // kReplicate: the last index of each Append not yet acknowledged, oldest first.
  std::deque<LogIndex> inflight;
  // Heard from since the last check-quorum.
  bool recently_active = false;
  // recently_active as the last check-quorum round left it: status views report a peer active
  // when either is set, so that one is not shown unreachable just after each round's reset.
  bool active_last_round = false;
  // The highest ReadIndex round this peer has echoed.
  uint64_t read_round = 0;

  // kSnapshot: the transfer under way.
  std::unique_ptr<SnapshotReader> snapshot_reader;
  SnapshotMeta snapshot_meta;
  uint64_t snapshot_offset = 0;  // the chunk out starts here
  int snapshot_wait_ticks = 0;   // ticks since that chunk was sent

  void BecomeProbe(LogIndex next_index) {
    mode = ProgressMode::kProbe;
    next = next_index;
    probe_sent = false;
    inflight.clear();
    snapshot_reader.reset();
  }
  void BecomeReplicate() {
    mode = ProgressMode::kReplicate;
    next = match + 1;
    probe_sent = false;
    inflight.clear();
  }
};

}  // namespace tessera::raft
