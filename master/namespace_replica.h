// The namespace state machine as the Raft core sees it: committed entries are decoded and
// applied through StateMachine, and snapshots are the whole namespace database
// (meta_snapshot.h), installed by switching database directories (meta_directory.h).
//
// Who calls: the Raft thread only (every raft::RaftStateMachine method). The apply observer runs
// on that thread, after each entry is applied, so the owner can hand the outcome to whoever
// proposed it. Readers the core opens keep their own view and may be read while entries apply.
#pragma once

#include <functional>
#include <memory>
#include <optional>

#include "common/status.h"
#include "master/apply_result.h"
#include "master/meta_directory.h"
#include "master/raft/raft_state_machine.h"
#include "master/state_machine.h"

namespace tessera::master {

class NamespaceReplica final : public raft::RaftStateMachine {
 public:
  // Sees every applied entry and, for command entries, what applying it gave.
  using ApplyObserver =
      std::function<void(const raft::LogEntry& entry, const Result<ApplyResult>* outcome)>;

  // Borrows `state` and `directory`; both must outlive this object. `directory` holds the
  // database `state` currently uses.
  NamespaceReplica(StateMachine* state, MetaDirectory* directory)
      : state_(state), directory_(directory) {}

  // REQUIRES: called before the Raft core starts.
  void SetApplyObserver(ApplyObserver observer) { observer_ = std::move(observer); }

  Status Apply(const raft::LogEntry& entry) override;
  raft::LogIndex AppliedIndex() const override;
  Status MakeDurable() override;
  Result<std::unique_ptr<raft::SnapshotReader>> OpenSnapshot() override;
  Result<std::unique_ptr<raft::SnapshotSink>> BeginRestore(const raft::SnapshotMeta& meta) override;
  std::optional<raft::SnapshotMeta> RestoredFrom() const override;

 private:
  class RestoreSink;
  // Makes the finished database in `dir` the live one and points the state machine at it.
  Status SwitchTo(const std::string& dir);

  StateMachine* const state_;
  MetaDirectory* const directory_;
  ApplyObserver observer_;
};

}  // namespace tessera::master
