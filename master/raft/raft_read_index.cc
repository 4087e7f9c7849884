// Linearizable reads by ReadIndex (thesis 6.4). A read waits until this leader has committed an
// entry of its term, takes the commit index as its read index, and is released once a quorum
// has answered a heartbeat round started after the read arrived. Reads that arrive while a
// round is out share the next round, so a burst of reads costs one round trip, not one each.
#include <algorithm>
#include <vector>

#include "master/raft/raft_core.h"

namespace tessera::raft {

bool RaftCore::CommittedInCurrentTerm() const { return log_.TermAt(commit_index_) == term(); }

Status RaftCore::ReadIndex(uint64_t context) {
  if (!Running()) return Status::Unavailable("raft core is not running");
  if (role_ != Role::kLeader) return Status::NotLeader(leader_address());
  pending_reads_.push_back(PendingRead{.context = context});
  StartReadRoundIfNeeded();
  UpdateConfirmedReads();
  return Status::Ok();
}

void RaftCore::StartReadRoundIfNeeded() {
  if (role_ != Role::kLeader || !CommittedInCurrentTerm()) return;
  bool waiting = false;
  for (PendingRead& read : pending_reads_) {
    if (read.round == 0) {
      read.index = commit_index_;
      read.round = read_round_ + 1;
    }
    if (read.round > read_round_) waiting = true;
  }
  if (!waiting || read_round_ > read_round_acked_) return;  // the next round starts after this one
  ++read_round_;
  for (auto& [peer, progress] : progress_) SendToPeer(peer, true);
}

void RaftCore::HandleReadAck(NodeId peer, uint64_t round) {
  auto it = progress_.find(peer);
  if (it == progress_.end() || round <= it->second.read_round) return;
  it->second.read_round = round;
  UpdateConfirmedReads();
}

void RaftCore::UpdateConfirmedReads() {
  if (role_ != Role::kLeader) return;
  std::vector<uint64_t> rounds;
  for (const Member& voter : log_.membership().voters) {
    if (voter.id == self_) {
      rounds.push_back(read_round_);
    } else {
      auto it = progress_.find(voter.id);
      rounds.push_back(it == progress_.end() ? 0 : it->second.read_round);
    }
  }
  if (rounds.empty()) return;
  std::sort(rounds.begin(), rounds.end(), std::greater<>());
  uint64_t confirmed = rounds[rounds.size() / 2];
  if (confirmed <= read_round_acked_) return;
  read_round_acked_ = confirmed;
  while (!pending_reads_.empty() && pending_reads_.front().round != 0 &&
         pending_reads_.front().round <= read_round_acked_) {
    PendingRead read = pending_reads_.front();
    pending_reads_.pop_front();
    listener_->OnReadIndexReady(read.context, read.index);
  }
  StartReadRoundIfNeeded();
  if (read_round_ > read_round_acked_ && rounds.size() == 1) UpdateConfirmedReads();
}

void RaftCore::FailPendingReads() {
  std::deque<PendingRead> failed;
  failed.swap(pending_reads_);
  for (const PendingRead& read : failed) listener_->OnReadIndexFailed(read.context);
}

}  // namespace tessera::raft
