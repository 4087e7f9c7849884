#include "master/local_command_log.h"

#include "master/proposal_fields.h"

namespace tessera::master {

Result<ApplyResult> LocalCommandLog::Propose(RequestOrigin origin, MetaCommand command) {
  std::lock_guard lock(mu_);
  MetaCounters counters = state_machine_->Counters();
  LogCommand entry;
  entry.client_id = origin.client_id;
  entry.sequence = origin.sequence;
  entry.command = std::move(command);
  IdCursor ids{counters.next_inode, counters.next_chunk_id};
  FillProposerFields(&entry.command, clock_->NowUnixNanos(), &ids);
  int64_t index = counters.applied_index + 1;
  Result<ApplyResult> result = state_machine_->Apply(index, entry);
  if (observer_) observer_(index, entry.command);
  return result;
}

int64_t LocalCommandLog::AppliedIndex() const { return state_machine_->Counters().applied_index; }

// Not under mu_: the sync covers everything applied before it and must not stall proposals.
Status LocalCommandLog::SyncApplied() { return state_machine_->Sync(); }

}  // namespace tessera::master
