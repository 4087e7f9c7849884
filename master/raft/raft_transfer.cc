// Leadership transfer (thesis 3.10): the leader stops taking proposals, brings the target's log
// up to date and sends TimeoutNow; the target campaigns at once, and its vote requests carry a
// flag that lets voters ignore leader stickiness. The transfer is abandoned after an election
// timeout.
#include <utility>

#include "common/logging.h"
#include "master/raft/raft_core.h"

namespace tessera::raft {
namespace {
constexpr char kLog[] = "raft";
}  // namespace

Status RaftCore::TransferLeadership(NodeId target) {
  if (!Running()) return Status::Unavailable("raft core is not running");
  if (role_ != Role::kLeader) return Status::NotLeader(leader_address());
  if (transfer_target_ != kNoNode) return Status::Unavailable("leadership transfer under way");
  if (target == kNoNode) {
    LogIndex best_match = 0;
    for (const auto& [peer, progress] : progress_) {
      if (log_.membership().IsVoter(peer) && (target == kNoNode || progress.match > best_match)) {
        target = peer;
        best_match = progress.match;
      }
    }
    if (target == kNoNode) return Status::InvalidArgument("no other voter to transfer to");
  }
  if (target == self_) return Status::InvalidArgument("node is already the leader");
  if (!log_.membership().IsVoter(target)) {
    return Status::InvalidArgument("node " + std::to_string(target) + " is not a voter");
  }
  transfer_target_ = target;
  transfer_elapsed_ = 0;
  LOG(kInfo, kLog) << "node " << self_ << " transfers leadership of term " << term() << " to node "
                   << target;
  MaybeSendTimeoutNow();
  SendToPeer(target, false);
  return Status::Ok();
}

void RaftCore::MaybeSendTimeoutNow() {
  auto it = progress_.find(transfer_target_);
  if (it == progress_.end()) {
    AbortTransfer("target left the group");
    return;
  }
  if (it->second.match != log_.last_index()) return;
  Message timeout_now;
  timeout_now.type = MessageType::kTimeoutNow;
  timeout_now.to = transfer_target_;
  timeout_now.term = term();
  Send(std::move(timeout_now));
}

void RaftCore::TickTransfer() {
  if (transfer_target_ == kNoNode) return;
  if (++transfer_elapsed_ >= config_.election_timeout_ticks) AbortTransfer("timed out");
}

void RaftCore::AbortTransfer(const char* why) {
  LOG(kInfo, kLog) << "node " << self_ << " abandons the leadership transfer to node "
                   << transfer_target_ << ": " << why;
  transfer_target_ = kNoNode;
}

void RaftCore::HandleTimeoutNow(const Message& message) {
  if (role_ == Role::kLeader || !CanCampaign()) return;
  LOG(kInfo, kLog) << "node " << self_ << " got TimeoutNow from node " << message.from
                   << "; campaigns at once";
  StartElection(true);
}

}  // namespace tessera::raft
