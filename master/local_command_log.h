// CommandLog for a single master: assigns ids, times and the log index under one mutex, then
// applies the command to the state machine right away.
//
// Thread-safe: mu_ serializes proposals, so ids come from the counters of the state the command
// is applied to. Apply does local disk I/O only (no network) while mu_ is held.
#pragma once

#include <functional>
#include <mutex>

#include "common/clock.h"
#include "master/command_log.h"
#include "master/state_machine.h"

namespace tessera::master {

class LocalCommandLog final : public CommandLog {
 public:
  // Sees every entry as logged (ids and times filled in) right after it was applied, under the
  // log's mutex: lets tests replay the exact log elsewhere.
  using EntryObserver = std::function<void(int64_t index, const MetaCommand& entry)>;

  // Borrows both; they must outlive this object.
  LocalCommandLog(StateMachine* state_machine, const Clock* clock, EntryObserver observer = {})
      : state_machine_(state_machine), clock_(clock), observer_(std::move(observer)) {}

  using CommandLog::Propose;
  Result<ApplyResult> Propose(RequestOrigin origin, MetaCommand command) override;
  // A single master is always current.
  Status ReadBarrier() override { return Status::Ok(); }
  // A single master leads for its whole life.
  Result<LeaderTenure> CheckLeader() const override { return LeaderTenure{}; }
  int64_t AppliedIndex() const override;
  Status SyncApplied() override;

 private:
  StateMachine* const state_machine_;
  const Clock* const clock_;
  const EntryObserver observer_;
  std::mutex mu_;  // serializes Propose: id assignment and apply happen as one step
};

}  // namespace tessera::master
