// The replicated master group as the RPC handler sees it: Raft messages in, operators' changes,
// and a view of the group for status pages. ReplicatedLog implements it.
// Thread-safety: every method may be called from any RPC thread.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/address.h"
#include "common/status.h"
#include "master/raft/raft_core.h"

namespace tessera::master {

// The group as this master sees it.
struct GroupView {
  raft::NodeId id = raft::kNoNode;
  raft::Role role = raft::Role::kFollower;
  raft::Term term = 0;
  raft::NodeId leader_id = raft::kNoNode;
  std::string leader_address;
  raft::LogIndex commit_index = 0;
  raft::LogIndex last_index = 0;
  raft::LogIndex applied_index = 0;
  raft::LogIndex snapshot_index = 0;
  raft::Membership membership;
  std::vector<raft::PeerStatus> peers;  // the leader's view of the others; empty elsewhere
  raft::RaftCounters counters;
  bool stopped = false;
  int64_t leader_since_ns = 0;  // monotonic; when this master last became leader
};

class MasterGroup {
 public:
  virtual ~MasterGroup() = default;
  // Messages from other masters, in arrival order, and where their senders say they can be
  // reached (used to answer a sender that is in no configuration this master knows yet).
  // Never blocks on the group.
  virtual void Deliver(std::vector<raft::Message> messages,
                       std::map<raft::NodeId, HostPort> sender_addresses) = 0;
  // Operators' changes; add and remove return once the configuration entry committed.
  // kNotLeader (message: the leader's address) on a follower.
  virtual Status AddMaster(raft::Member member) = 0;
  virtual Status RemoveMaster(raft::NodeId id) = 0;
  virtual Status TransferLeadership(raft::NodeId target) = 0;
  virtual GroupView View() const = 0;
};

}  // namespace tessera::master
