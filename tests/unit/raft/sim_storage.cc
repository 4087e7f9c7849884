#include "tests/unit/raft/sim_storage.h"

#include <string>

namespace tessera::raft::sim {
namespace {

// A broken precondition is a bug in the core. The Internal status stops the node, and the
// simulation reports every stop that it did not inject.
Status Require(bool condition, const char* what) {
  if (condition) return Status::Ok();
  return Status::Internal(std::string("storage precondition violated: ") + what);
}

}  // namespace

Status SimStorage::Mutate(const std::function<void()>& change) {
  FaultPlan::Outcome outcome = faults_->Next();
  if (outcome != FaultPlan::Outcome::kFailBefore) change();
  if (outcome == FaultPlan::Outcome::kProceed) return Status::Ok();
  return Status::IoError("injected storage fault");
}

std::optional<Term> SimStorage::TermAt(LogIndex index) const {
  if (state_.snapshot && index == state_.snapshot->index) return state_.snapshot->term;
  if (index == 0) return 0;
  if (index <= snapshot_index() || index > last_index()) return std::nullopt;
  return state_.entries[index - snapshot_index() - 1].term;
}

Status SimStorage::SaveHardState(const HardState& state) {
  RETURN_IF_ERROR(Require(state.term >= state_.hard_state.term, "term went backwards"));
  return Mutate([&] { state_.hard_state = state; });
}

Status SimStorage::Append(const std::vector<LogEntry>& entries) {
  RETURN_IF_ERROR(Require(!entries.empty() && entries.front().index == last_index() + 1,
                          "append not contiguous"));
  return Mutate([&] {
    for (const LogEntry& entry : entries) {
      state_.entries.push_back(entry);
      on_append_(entry);
    }
  });
}

Status SimStorage::TruncateFrom(LogIndex index) {
  RETURN_IF_ERROR(Require(index > snapshot_index(), "truncation below the snapshot"));
  return Mutate([&] {
    while (last_index() >= index) state_.entries.pop_back();
  });
}

Status SimStorage::CompactThrough(const SnapshotMeta& meta) {
  RETURN_IF_ERROR(Require(meta.index >= snapshot_index() && meta.index <= last_index(),
                          "compaction out of range"));
  RETURN_IF_ERROR(Require(TermAt(meta.index) == meta.term, "compaction term mismatch"));
  return Mutate([&] {
    size_t drop = meta.index - snapshot_index();
    state_.entries.erase(state_.entries.begin(), state_.entries.begin() + drop);
    state_.snapshot = meta;
  });
}

Status SimStorage::ResetToSnapshot(const SnapshotMeta& meta) {
  return Mutate([&] {
    state_.entries.clear();
    state_.snapshot = meta;
  });
}

}  // namespace tessera::raft::sim
