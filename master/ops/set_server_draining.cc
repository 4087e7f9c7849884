// Starts or stops draining a chunk server (`tessera decommission`). Only the wish is recorded
// here, durably, so that it survives a master failover; the replication manager moves the
// server's replicas and placement stops choosing it (replication_planner.h, placement.h).
// Whether the server is registered is soft state the log cannot see: the RPC handler checks it.
#include "master/keys.h"
#include "master/ops/ops.h"

namespace tessera::master {

Result<ApplyResult> ApplySetServerDraining(
    OpContext& op, const master_state::SetServerDrainingCommand& command) {
  if (command.server_id <= 0) {
    return Status::InvalidArgument("server id " + std::to_string(command.server_id) + " <= 0");
  }
  RETURN_IF_ERROR(CheckTime(command.time_ns));
  ASSIGN_OR_RETURN(auto existing, op.store().GetDrainingServer(command.server_id));
  if (!command.draining) {
    if (!existing) {
      return Status::NotFound("chunk server " + std::to_string(command.server_id) +
                              " is not draining");
    }
    op.batch()->Delete(DrainingServerKey(command.server_id));
    return ApplyResult{};
  }
  if (existing) return ApplyResult{};  // already draining: the first start time stays
  DrainingServerRecord record;
  record.server_id = command.server_id;
  record.since_ns = command.time_ns;
  op.batch()->Put(DrainingServerKey(command.server_id), EncodeDrainingServer(record));
  return ApplyResult{};
}

}  // namespace tessera::master
