// MasterService handlers of `tessera decommission`: start and cancel draining a chunk server.
// The wish goes through the log (set_server_draining) so that a new leader keeps draining;
// the replication manager does the moving (replication_planner.h).
#include "master/master_service.h"

#include "common/logging.h"
#include "common/rpc_errors.h"
#include "master/request_validation.h"

namespace tessera::master {

Status MasterServiceHandler::SetDraining(const rpc::RequestContext& ctx, int64_t server_id,
                                         bool draining) {
  if (server_id <= 0) {
    return Status::InvalidArgument("server id must be > 0, got " + std::to_string(server_id));
  }
  RETURN_IF_ERROR(LeadForChunkServers().status());
  // Only a start needs a registered server: a cancel must work for a server that is gone.
  if (draining && !registry_->Knows(server_id)) {
    if (InReportGrace()) {
      return Status::Unavailable("a new master leader is waiting for chunk servers to register");
    }
    return Status::NotFound("no chunk server " + std::to_string(server_id) +
                            " is registered with the master");
  }
  master_state::SetServerDrainingCommand command;
  command.server_id = server_id;
  command.draining = draining;
  MetaCommand wrapped;
  wrapped.__set_set_server_draining(command);
  RETURN_IF_ERROR(Mutate(ctx, std::move(wrapped)).status());
  registry_->RefreshDraining();
  LOG_REQ(kInfo, "master", ctx.request_id)
      << "chunk server " << server_id
      << (draining ? " is draining: its replicas move to other servers"
                   : " is no longer draining: it takes new replicas again");
  return Status::Ok();
}

void MasterServiceHandler::startDecommission(const rpc::RequestContext& ctx, int64_t server_id) {
  ThrowIfError(ValidateContext(ctx));
  ThrowIfError(SetDraining(ctx, server_id, true));
}

void MasterServiceHandler::cancelDecommission(const rpc::RequestContext& ctx, int64_t server_id) {
  ThrowIfError(ValidateContext(ctx));
  ThrowIfError(SetDraining(ctx, server_id, false));
}

}  // namespace tessera::master
