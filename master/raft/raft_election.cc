// Elections (thesis 3.4, 9.6): randomized timeouts, pre-vote, votes persisted before they are
// granted, and leader stickiness so that a partitioned or removed server cannot depose a
// healthy leader.
#include <utility>

#include "common/logging.h"
#include "master/raft/raft_core.h"

namespace tessera::raft {
namespace {
constexpr char kLog[] = "raft";
}  // namespace

void RaftCore::TickElection() {
  if (election_elapsed_ < randomized_election_timeout_) return;
  if (!CanCampaign()) {
    ResetElectionTimer();
    return;
  }
  StartPreVote();
}

bool RaftCore::CanCampaign() const { return log_.membership().IsVoter(self_); }

bool RaftCore::InLease() const {
  if (role_ == Role::kLeader) return true;
  if (ticks_since_start_ < config_.election_timeout_ticks) return true;
  return leader_ != kNoNode && election_elapsed_ < config_.election_timeout_ticks;
}

void RaftCore::StartPreVote() {
  role_ = Role::kPreCandidate;
  leader_ = kNoNode;
  votes_.clear();
  votes_[self_] = true;
  ResetElectionTimer();
  LOG(kInfo, kLog) << "node " << self_ << " starts pre-vote for term " << term() + 1;
  if (QuorumOf(votes_)) {
    StartElection(false);
    return;
  }
  SendVoteRequests(MessageType::kPreVote, term() + 1, false);
}

void RaftCore::StartElection(bool leadership_transfer) {
  if (!SaveHardState(HardState{term() + 1, self_})) return;
  ++counters_.elections_started;
  ++counters_.terms_started;
  role_ = Role::kCandidate;
  leader_ = kNoNode;
  votes_.clear();
  votes_[self_] = true;
  ResetElectionTimer();
  LOG(kInfo, kLog) << "node " << self_ << " starts election for term " << term()
                   << (leadership_transfer ? " (leadership transfer)" : "");
  if (QuorumOf(votes_)) {
    BecomeLeader();
    return;
  }
  SendVoteRequests(MessageType::kVote, term(), leadership_transfer);
}

void RaftCore::SendVoteRequests(MessageType type, Term campaign_term, bool leadership_transfer) {
  for (const Member& voter : log_.membership().voters) {
    if (voter.id == self_) continue;
    Message request;
    request.type = type;
    request.to = voter.id;
    request.term = campaign_term;
    request.last_log_index = log_.last_index();
    request.last_log_term = log_.last_term();
    request.leadership_transfer = leadership_transfer;
    Send(std::move(request));
  }
}

void RaftCore::HandleVoteRequest(const Message& message) {
  bool up_to_date =
      message.last_log_term > log_.last_term() ||
      (message.last_log_term == log_.last_term() && message.last_log_index >= log_.last_index());
  bool pre_vote = message.type == MessageType::kPreVote;
  bool grant;
  if (pre_vote) {
    // HandleTerm already dropped it if a leader is in lease.
    grant = message.term > term() && up_to_date;
  } else {
    // Servers vote whatever their own configuration says (thesis 4.1): a new voter may not
    // have its configuration entry yet.
    bool free_to_vote = hard_state_.voted_for == message.from ||
                        (hard_state_.voted_for == kNoNode && leader_ == kNoNode);
    grant = free_to_vote && up_to_date;
    if (grant) {
      if (!SaveHardState(HardState{term(), message.from})) return;
      election_elapsed_ = 0;
    }
  }
  LOG(kInfo, kLog) << "node " << self_ << (grant ? " grants " : " refuses ")
                   << (pre_vote ? "pre-vote" : "vote") << " for term " << message.term
                   << " to node " << message.from;
  Message reply = ReplyTo(message, pre_vote ? MessageType::kPreVoteReply : MessageType::kVoteReply);
  if (pre_vote && grant) reply.term = message.term;
  reply.reject = !grant;
  Send(std::move(reply));
}

void RaftCore::HandleVoteReply(const Message& message) {
  if (message.type == MessageType::kPreVoteReply) {
    if (role_ != Role::kPreCandidate) return;
    if (!message.reject && message.term != term() + 1) return;
  } else if (role_ != Role::kCandidate || message.term != term()) {
    return;
  }
  if (!log_.membership().IsVoter(message.from)) return;
  votes_[message.from] = !message.reject;
  if (QuorumOf(votes_)) {
    if (role_ == Role::kPreCandidate) {
      StartElection(false);
    } else {
      BecomeLeader();
    }
    return;
  }
  std::map<NodeId, bool> refusals;
  for (const auto& [voter, granted] : votes_) refusals[voter] = !granted;
  if (QuorumOf(refusals)) {
    LOG(kInfo, kLog) << "node " << self_ << " lost the " << RoleName(role_) << " round of term "
                     << term();
    BecomeFollower(term(), kNoNode);
  }
}

bool RaftCore::QuorumOf(const std::map<NodeId, bool>& responses) const {
  const std::vector<Member>& voters = log_.membership().voters;
  size_t yes = 0;
  for (const Member& voter : voters) {
    auto it = responses.find(voter.id);
    if (it != responses.end() && it->second) ++yes;
  }
  return yes > voters.size() / 2;
}

}  // namespace tessera::raft
