// MasterService handlers of `tessera balance`: start, stop and follow the operator's balance
// (master/balancer.h). The wish goes through the log (set_balance) so that a new leader goes on
// with it; answered by the leader only, where the balance runs.
#include "common/logging.h"
#include "common/rpc_errors.h"
#include "master/balancer.h"
#include "master/master_service.h"
#include "master/request_validation.h"

namespace tessera::master {

Status MasterServiceHandler::SetBalance(const rpc::RequestContext& ctx,
                                        master_state::SetBalanceCommand command) {
  RETURN_IF_ERROR(LeadForChunkServers().status());
  if (balancer_ == nullptr) return Status::Unavailable("this master runs no balancer");
  const std::string state = command.state;
  MetaCommand wrapped;
  wrapped.__set_set_balance(std::move(command));
  RETURN_IF_ERROR(Mutate(ctx, std::move(wrapped)).status());
  ASSIGN_OR_RETURN(std::optional<BalanceRecord> durable, state_->BalanceWish());
  balancer_->Sync(durable);
  LOG_REQ(kInfo, "master", ctx.request_id) << "balance " << state << " by request";
  return Status::Ok();
}

void MasterServiceHandler::startBalance(const rpc::RequestContext& ctx, double threshold_pct,
                                        int64_t bandwidth_bytes_per_sec) {
  ThrowIfError(ValidateContext(ctx));
  ThrowIfError(ValidateBalanceRequest(threshold_pct, bandwidth_bytes_per_sec));
  master_state::SetBalanceCommand command;
  command.state = "running";
  command.threshold_pct = threshold_pct;
  command.bandwidth_bytes_per_sec = bandwidth_bytes_per_sec;
  ThrowIfError(SetBalance(ctx, std::move(command)));
}

void MasterServiceHandler::stopBalance(const rpc::RequestContext& ctx) {
  ThrowIfError(ValidateContext(ctx));
  master_state::SetBalanceCommand command;
  command.state = "stopped";
  ThrowIfError(SetBalance(ctx, std::move(command)));
}

void MasterServiceHandler::balanceStatus(rpc::BalanceStatus& reply) {
  // Linearizable, like every read: a new leader reports the balance its predecessor started.
  ThrowIfError(log_->ReadBarrier());
  ThrowIfError(LeadForChunkServers().status());
  if (balancer_ == nullptr) ThrowIfError(Status::Unavailable("this master runs no balancer"));
  Result<std::optional<BalanceRecord>> durable = state_->BalanceWish();
  ThrowIfError(durable.status());
  reply = balancer_->Progress(*durable);
}

}  // namespace tessera::master
