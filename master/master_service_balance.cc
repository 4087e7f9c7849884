// MasterService handlers of `tessera balance`: start, stop and follow the operator's balance
// (master/balancer.h). Answered by the leader only: the balance runs there.
#include "common/logging.h"
#include "common/rpc_errors.h"
#include "master/balancer.h"
#include "master/master_service.h"
#include "master/request_validation.h"

namespace tessera::master {

void MasterServiceHandler::startBalance(const rpc::RequestContext& ctx, double threshold_pct,
                                        int64_t bandwidth_bytes_per_sec) {
  ThrowIfError(ValidateContext(ctx));
  ThrowIfError(ValidateBalanceRequest(threshold_pct, bandwidth_bytes_per_sec));
  Result<LeaderTenure> tenure = LeadForChunkServers();
  ThrowIfError(tenure.status());
  if (balancer_ == nullptr) ThrowIfError(Status::Unavailable("this master runs no balancer"));
  balancer_->Start(threshold_pct, bandwidth_bytes_per_sec, tenure->term);
  LOG_REQ(kInfo, "master", ctx.request_id)
      << "balance requested: threshold " << threshold_pct << " points, bandwidth "
      << bandwidth_bytes_per_sec << " bytes/s (0: not capped)";
}

void MasterServiceHandler::stopBalance(const rpc::RequestContext& ctx) {
  ThrowIfError(ValidateContext(ctx));
  ThrowIfError(LeadForChunkServers().status());
  if (balancer_ == nullptr) ThrowIfError(Status::Unavailable("this master runs no balancer"));
  ThrowIfError(balancer_->Stop());
}

void MasterServiceHandler::balanceStatus(rpc::BalanceStatus& reply) {
  ThrowIfError(LeadForChunkServers().status());
  if (balancer_ == nullptr) ThrowIfError(Status::Unavailable("this master runs no balancer"));
  reply = balancer_->Progress();
}

}  // namespace tessera::master
