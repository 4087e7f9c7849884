// Carries Raft messages to the other masters over MasterService.raftDeliver (one-way calls).
//
// Each peer has a queue and a sender thread of its own, so a slow, stopped or unreachable master
// delays only the messages meant for it and never the Raft thread: Send only queues. A full
// queue drops the message (Raft retransmits what matters); a failed call drops its batch and the
// sender reconnects after a short back-off.
//
// Threading: Send and SetPeers are called by the Raft thread only, so peers_ needs no lock.
// Each peer's queue is guarded by that peer's mutex; its sender thread is the only one doing
// network I/O for it. The destructor stops and joins every sender (waiting at most one I/O
// timeout for a sender inside a call).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/address.h"
#include "master/raft/transport.h"

namespace tessera::master {

struct RaftTransportOptions {
  std::string self_address;  // sent with every message (rpc::RaftMessage.from_address)
  size_t max_queued_messages = 4096;
  size_t max_queued_bytes = 64 << 20;
  // One raftDeliver call carries at most this much (well under the RPC frame cap).
  size_t max_batch_bytes = 8 << 20;
  int io_timeout_ms = 2000;
  int reconnect_backoff_ms = 100;
};

class RaftTransport final : public raft::Transport {
 public:
  explicit RaftTransport(RaftTransportOptions options = {});
  ~RaftTransport() override;
  RaftTransport(const RaftTransport&) = delete;
  RaftTransport& operator=(const RaftTransport&) = delete;

  // The peers' addresses; a peer no longer listed is stopped, a changed address reconnects.
  void SetPeers(const std::map<raft::NodeId, HostPort>& peers);
  // Queues `message` for message.to; drops it when that peer is unknown or its queue is full.
  void Send(raft::Message message) override;

 private:
  class Peer;
  const RaftTransportOptions options_;
  std::map<raft::NodeId, std::unique_ptr<Peer>> peers_;  // Raft thread only
  // Removed peers whose senders are still finishing a call; joined once they are done.
  std::vector<std::unique_ptr<Peer>> retired_;  // Raft thread only
};

}  // namespace tessera::master
