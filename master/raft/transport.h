// How the Raft core sends messages to its peers.
//
// Send never blocks and may lose, delay, duplicate or reorder messages: the core retries what
// matters. Messages arriving from peers are handed to RaftCore::Step by the caller.
// Thread-safety: called from the core's caller thread only.
#pragma once

#include "master/raft/raft_types.h"

namespace tessera::raft {

class Transport {
 public:
  virtual ~Transport() = default;
  virtual void Send(Message message) = 0;
};

}  // namespace tessera::raft
