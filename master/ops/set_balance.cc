// Starts or ends the operator's balance (`tessera balance`). Only the wish is recorded here,
// durably, so that a new leader goes on with it; the leader's Balancer moves the replicas
// (master/balancer.h) and records "done" when every server is within the threshold.
#include "master/balance_request.h"
#include "master/keys.h"
#include "master/ops/ops.h"

namespace tessera::master {

Result<ApplyResult> ApplySetBalance(OpContext& op, const master_state::SetBalanceCommand& command) {
  RETURN_IF_ERROR(CheckTime(command.time_ns));
  const std::string key(kBalanceKey);
  if (command.state == "running") {
    RETURN_IF_ERROR(ValidateBalanceRequest(command.threshold_pct, command.bandwidth_bytes_per_sec));
    BalanceRecord record;
    record.state = command.state;
    record.threshold_pct = command.threshold_pct;
    record.bandwidth_bytes_per_sec = command.bandwidth_bytes_per_sec;
    record.since_ns = command.time_ns;
    op.batch()->Put(key, EncodeBalance(record));
    return ApplyResult{};
  }
  if (command.state != "done" && command.state != "stopped") {
    return Status::InvalidArgument("a balance state is running, done or stopped, not '" +
                                   command.state + "'");
  }
  ASSIGN_OR_RETURN(std::optional<BalanceRecord> record, op.store().GetBalance());
  if (!record || record->state != "running") {
    return Status::NotFound("no balance is running");
  }
  record->state = command.state;
  op.batch()->Put(key, EncodeBalance(*record));
  return ApplyResult{};
}

}  // namespace tessera::master
