#include "master/local_command_log.h"

namespace tessera::master {

void LocalCommandLog::FillNonDeterministicFields(MetaCommand* command,
                                                 const MetaCounters& counters) const {
  int64_t now = clock_->NowUnixNanos();
  auto& set = command->__isset;
  if (set.init_root) command->init_root.time_ns = now;
  if (set.mkdir) {
    command->mkdir.inode = counters.next_inode;
    command->mkdir.time_ns = now;
  }
  if (set.create) {
    command->create.inode = counters.next_inode;
    command->create.time_ns = now;
  }
  if (set.unlink) command->unlink.time_ns = now;
  if (set.rmdir) command->rmdir.time_ns = now;
  if (set.rename) command->rename.time_ns = now;
  if (set.set_attr) command->set_attr.time_ns = now;
  if (set.allocate_chunk) {
    command->allocate_chunk.chunk_id = counters.next_chunk_id;
    command->allocate_chunk.version = 1;
  }
  // commit_write carries the writer's time: nothing to fill.
}

Result<ApplyResult> LocalCommandLog::Propose(RequestOrigin origin, MetaCommand command) {
  std::lock_guard lock(mu_);
  MetaCounters counters = state_machine_->Counters();
  LogCommand entry;
  entry.client_id = origin.client_id;
  entry.sequence = origin.sequence;
  entry.command = std::move(command);
  FillNonDeterministicFields(&entry.command, counters);
  int64_t index = counters.applied_index + 1;
  Result<ApplyResult> result = state_machine_->Apply(index, entry);
  if (observer_) observer_(index, entry.command);
  return result;
}

int64_t LocalCommandLog::AppliedIndex() const { return state_machine_->Counters().applied_index; }

// Not under mu_: the sync covers everything applied before it and must not stall proposals.
Status LocalCommandLog::SyncApplied() { return state_machine_->Sync(); }

}  // namespace tessera::master
