// The state machine as the Raft core sees it: committed entries go in, in order, and whole
// snapshots come out (for a lagging follower) or go in (from the leader).
//
// Crash safety is shared between the core and the state machine:
// - AppliedIndex() is the durable applied index: after a restart the core re-applies exactly
//   the entries after it, so the state machine never sees an entry twice across a crash.
// - The core compacts its log only through an index the state machine has made durable
//   (MakeDurable), so every entry after AppliedIndex() is still in the log after a restart.
// - SnapshotSink::Commit replaces the state and the applied index atomically and durably and
//   remembers the SnapshotMeta (RestoredFrom). The core resets its log only after Commit; if the
//   node crashes in between, Start() sees RestoredFrom() ahead of the log's snapshot and
//   finishes the reset.
// Errors from any call are fatal for the node (the core stops, see RaftListener::OnStopped).
// Thread-safety: the core calls every method from its caller's thread; readers and sinks may
// outlive calls to Apply, so an implementation serves a reader from a consistent view.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "master/raft/raft_types.h"

namespace tessera::raft {

struct SnapshotChunk {
  std::string data;
  bool last = false;  // no bytes follow this chunk
};

// A consistent view of the state at Index(), read in chunks. The bytes are a function of the
// state alone: two readers opened at the same index yield the same bytes, because a follower
// may resume a transfer that the leader restarted with a new reader.
class SnapshotReader {
 public:
  virtual ~SnapshotReader() = default;
  virtual LogIndex Index() const = 0;
  // Up to max_bytes starting at `offset`. REQUIRES: offset is 0 or the end of a chunk this reader
  // returned before (a follower may ask for a chunk again, or start over).
  virtual Result<SnapshotChunk> Read(uint64_t offset, uint64_t max_bytes) = 0;
};

// Receives a snapshot. Destroying a sink without Commit abandons the restore and leaves the
// state machine as it was.
class SnapshotSink {
 public:
  virtual ~SnapshotSink() = default;
  // REQUIRES: offset equals the number of bytes written so far.
  virtual Status Write(uint64_t offset, std::string_view data) = 0;
  // Atomically and durably replaces the state with the snapshot, sets the applied index to the
  // snapshot's index and records its SnapshotMeta (RestoredFrom).
  virtual Status Commit() = 0;
};

class RaftStateMachine {
 public:
  virtual ~RaftStateMachine() = default;

  // Called for every committed entry in index order, noops and membership entries included, so
  // that the applied index advances. The outcome of a command is the state machine's business;
  // an error means the state machine could not apply at all (I/O) and stops the node.
  virtual Status Apply(const LogEntry& entry) = 0;
  // The highest index whose effect survives a crash (see the file comment).
  virtual LogIndex AppliedIndex() const = 0;
  // Every entry applied so far is on stable storage when this returns OK.
  virtual Status MakeDurable() = 0;
  // A reader over a consistent view of the state at the current applied index.
  virtual Result<std::unique_ptr<SnapshotReader>> OpenSnapshot() = 0;
  // Starts receiving the snapshot described by `meta`.
  virtual Result<std::unique_ptr<SnapshotSink>> BeginRestore(const SnapshotMeta& meta) = 0;
  // The meta of the last committed restore (durable), if any.
  virtual std::optional<SnapshotMeta> RestoredFrom() const = 0;
};

}  // namespace tessera::raft
