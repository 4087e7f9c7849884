// Callbacks from the Raft core to its owner.
//
// Called synchronously on the core's caller thread, from inside the RaftCore call that caused
// them. A callback must not call back into the RaftCore.
#pragma once

#include <cstdint>

#include "common/status.h"
#include "master/raft/raft_types.h"

namespace tessera::raft {

enum class Role : uint8_t { kFollower = 0, kPreCandidate = 1, kCandidate = 2, kLeader = 3 };

std::string_view RoleName(Role role);

class RaftListener {
 public:
  virtual ~RaftListener() = default;
  // The role, the term or the known leader (kNoNode = unknown) changed.
  virtual void OnRoleChanged(Role role, Term term, NodeId leader) = 0;
  // The read registered with RaftCore::ReadIndex(context) may be served from the local state
  // once the applied index reaches read_index.
  virtual void OnReadIndexReady(uint64_t context, LogIndex read_index) = 0;
  // The read cannot be confirmed (leadership lost); the caller retries on the new leader.
  virtual void OnReadIndexFailed(uint64_t context) = 0;
  // Storage or the state machine failed; the core has stopped and refuses every further call.
  // The owner exits (or, in a simulation, restarts the node from its storage).
  virtual void OnStopped(const Status& status) = 0;
};

}  // namespace tessera::raft
