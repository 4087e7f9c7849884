// RaftStorage for the simulation: every call is durable and atomic the moment it returns, the
// state survives the node's crash (the object outlives the node's RaftCore), and a FaultPlan
// can fail any call before or after its effect.
#pragma once

#include <functional>
#include <optional>
#include <vector>

#include "master/raft/raft_storage.h"
#include "tests/unit/raft/fault_plan.h"

namespace tessera::raft::sim {

class SimStorage final : public RaftStorage {
 public:
  // `on_append` sees every entry written, for the invariant checker.
  SimStorage(FaultPlan* faults, std::function<void(const LogEntry&)> on_append)
      : faults_(faults), on_append_(std::move(on_append)) {}

  Result<StoredState> Load() override { return state_; }
  Status SaveHardState(const HardState& state) override;
  Status Append(const std::vector<LogEntry>& entries) override;
  Status TruncateFrom(LogIndex index) override;
  Status CompactThrough(const SnapshotMeta& meta) override;
  Status ResetToSnapshot(const SnapshotMeta& meta) override;

  // The durable state, for invariant checks.
  const StoredState& state() const { return state_; }
  LogIndex snapshot_index() const { return state_.snapshot ? state_.snapshot->index : 0; }
  LogIndex last_index() const { return snapshot_index() + state_.entries.size(); }
  // Term at `index`, nullopt when the index is compacted (below the snapshot) or absent.
  std::optional<Term> TermAt(LogIndex index) const;

 private:
  // Runs `change` unless the plan says to fail before it; IoError when the plan fails the call.
  Status Mutate(const std::function<void()>& change);

  FaultPlan* faults_;
  std::function<void(const LogEntry&)> on_append_;
  StoredState state_;
};

}  // namespace tessera::raft::sim
