// Where a Raft node keeps its persistent state: the hard state (term, vote), the metadata of
// the latest snapshot and the log entries after it.
//
// Contract for implementations:
// - Every mutating call is durable (fsync'd) when it returns OK, and atomic: after a crash the
//   storage holds the state from before the call or from after it, never a mix.
// - An error is fatal for the node: the core stops (RaftListener::OnStopped) and the daemon
//   exits; after a restart, Load() must return a state that some prefix of the calls produced.
// - The log is contiguous: entries start right after the snapshot index (or at 1 without a
//   snapshot) and have no gaps.
// Thread-safety: the core calls it from its caller's thread only; implementations need no locks
// for the core's sake.
#pragma once

#include <optional>
#include <vector>

#include "common/status.h"
#include "master/raft/raft_types.h"

namespace tessera::raft {

struct StoredState {
  HardState hard_state;
  // Absent until the first CompactThrough or ResetToSnapshot.
  std::optional<SnapshotMeta> snapshot;
  // Every entry after the snapshot index, in order.
  std::vector<LogEntry> entries;
};

class RaftStorage {
 public:
  virtual ~RaftStorage() = default;

  virtual Result<StoredState> Load() = 0;
  virtual Status SaveHardState(const HardState& state) = 0;
  // REQUIRES: entries is not empty, entries[0].index is the last stored index + 1 and the
  // indexes are consecutive.
  virtual Status Append(const std::vector<LogEntry>& entries) = 0;
  // Drops every entry with index >= `index`. REQUIRES: index > the snapshot index.
  virtual Status TruncateFrom(LogIndex index) = 0;
  // Records `meta` as the snapshot and drops every entry with index <= meta.index; later entries
  // stay. REQUIRES: meta.index >= the current snapshot index and <= the last index.
  virtual Status CompactThrough(const SnapshotMeta& meta) = 0;
  // Records `meta` as the snapshot and drops the whole log: an installed snapshot replaced it.
  virtual Status ResetToSnapshot(const SnapshotMeta& meta) = 0;
};

}  // namespace tessera::raft
