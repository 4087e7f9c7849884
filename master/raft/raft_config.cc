#include "master/raft/raft_config.h"

namespace tessera::raft {

Status RaftConfig::Validate() const {
  if (election_timeout_ticks < 2) {
    return Status::InvalidArgument("election_timeout_ticks must be at least 2");
  }
  if (heartbeat_ticks < 1 || heartbeat_ticks >= election_timeout_ticks) {
    return Status::InvalidArgument(
        "heartbeat_ticks must be at least 1 and below election_timeout_ticks");
  }
  if (max_append_entries < 1) return Status::InvalidArgument("max_append_entries must be >= 1");
  if (max_append_bytes < 1) return Status::InvalidArgument("max_append_bytes must be >= 1");
  if (max_inflight_appends < 1) {
    return Status::InvalidArgument("max_inflight_appends must be >= 1");
  }
  if (snapshot_chunk_bytes < 1) return Status::InvalidArgument("snapshot_chunk_bytes must be >= 1");
  if (compaction_threshold_entries < 1) {
    return Status::InvalidArgument("compaction_threshold_entries must be >= 1");
  }
  return Status::Ok();
}

}  // namespace tessera::raft
