// Single-server membership changes (thesis 4.1-4.2). One change at a time; a configuration is
// in force from the moment it is appended; a leader changes the configuration only after it
// committed an entry of its own term; a new server joins as a learner and becomes a voter (a
// second change) once it has caught up; a removed leader steps down once its removal commits.
#include <algorithm>
#include <sstream>
#include <utility>

#include "common/logging.h"
#include "master/raft/raft_core.h"

namespace tessera::raft {
namespace {

constexpr char kLog[] = "raft";

std::string Describe(const Membership& membership) {
  std::ostringstream out;
  out << "voters {";
  for (const Member& voter : membership.voters) out << " " << voter.id;
  out << " } learners {";
  for (const Member& learner : membership.learners) out << " " << learner.id;
  out << " }";
  return out.str();
}

void EraseMember(std::vector<Member>* members, NodeId id) {
  std::erase_if(*members, [id](const Member& member) { return member.id == id; });
}

}  // namespace

Status RaftCore::CheckMembershipChangeAllowed() const {
  if (!Running()) return Status::Unavailable("raft core is not running");
  if (role_ != Role::kLeader) return Status::NotLeader(leader_address());
  if (!CommittedInCurrentTerm()) {
    return Status::Unavailable("the leader has not yet committed an entry of its term");
  }
  if (log_.membership_index() > commit_index_) {
    return Status::Unavailable("another membership change is not yet committed");
  }
  if (transfer_target_ != kNoNode) return Status::Unavailable("leadership transfer under way");
  return Status::Ok();
}

Result<LogIndex> RaftCore::AddServer(Member member) {
  RETURN_IF_ERROR(CheckMembershipChangeAllowed());
  if (member.id == kNoNode) return Status::InvalidArgument("node id 0 is reserved");
  if (log_.membership().Contains(member.id)) {
    return Status::AlreadyExists("node " + std::to_string(member.id) + " is already a member");
  }
  Membership next = log_.membership();
  next.learners.push_back(std::move(member));
  return AppendMembership(next);
}

Result<LogIndex> RaftCore::RemoveServer(NodeId id) {
  RETURN_IF_ERROR(CheckMembershipChangeAllowed());
  const Membership& current = log_.membership();
  if (!current.Contains(id)) {
    return Status::NotFound("node " + std::to_string(id) + " is not a member");
  }
  if (current.IsVoter(id) && current.voters.size() == 1) {
    return Status::InvalidArgument("cannot remove the last voter");
  }
  Membership next = current;
  EraseMember(&next.voters, id);
  EraseMember(&next.learners, id);
  return AppendMembership(next);
}

Result<LogIndex> RaftCore::AppendMembership(const Membership& next) {
  LogEntry entry{.term = term(),
                 .index = log_.last_index() + 1,
                 .kind = EntryKind::kMembership,
                 .data = next.Encode()};
  if (!AppendEntries({entry})) return Status::Unavailable("raft core stopped");
  LOG(kInfo, kLog) << "node " << self_ << " appended membership change at index " << entry.index
                   << ": " << Describe(next);
  SyncProgress();
  for (auto& [peer, progress] : progress_) SendToPeer(peer, false);
  MaybeAdvanceCommit();
  return entry.index;
}

void RaftCore::SyncProgress() {
  const Membership& membership = log_.membership();
  std::erase_if(progress_, [&](const auto& item) { return !membership.Contains(item.first); });
  auto track = [&](const Member& member) {
    if (member.id == self_ || progress_.count(member.id) > 0) return;
    Progress& progress = progress_[member.id];
    progress.next = log_.last_index() + 1;
    // A newcomer counts as heard from until the next check-quorum.
    progress.recently_active = true;
  };
  for (const Member& voter : membership.voters) track(voter);
  for (const Member& learner : membership.learners) track(learner);
}

void RaftCore::MaybePromoteLearner() {
  if (role_ != Role::kLeader || log_.membership().learners.empty() ||
      !CheckMembershipChangeAllowed().ok()) {
    return;
  }
  for (const Member& learner : log_.membership().learners) {
    auto it = progress_.find(learner.id);
    if (it == progress_.end()) continue;
    const Progress& progress = it->second;
    // Caught up: it holds every committed entry and is within one Append of the end.
    if (progress.match < commit_index_ ||
        log_.last_index() - progress.match > config_.max_append_entries) {
      continue;
    }
    Membership next = log_.membership();
    Member promoted = learner;
    EraseMember(&next.learners, promoted.id);
    next.voters.push_back(promoted);
    LOG(kInfo, kLog) << "node " << self_ << " promotes caught-up learner " << promoted.id
                     << " to voter";
    (void)AppendMembership(next);
    return;
  }
}

void RaftCore::OnCommittedMembership() {
  if (role_ != Role::kLeader || log_.membership_index() > commit_index_) return;
  if (log_.membership().IsVoter(self_)) {
    MaybePromoteLearner();
    return;
  }
  // Removed: hand over to the most up-to-date voter right away instead of letting the group
  // wait for an election timeout, then step down.
  NodeId successor = kNoNode;
  for (const auto& [peer, progress] : progress_) {
    if (log_.membership().IsVoter(peer) && progress.match == log_.last_index()) {
      successor = peer;
      break;
    }
  }
  LOG(kInfo, kLog) << "node " << self_ << " was removed from the group; steps down"
                   << (successor != kNoNode ? " and hands over to node " : "")
                   << (successor != kNoNode ? std::to_string(successor) : "");
  if (successor != kNoNode) {
    Message timeout_now;
    timeout_now.type = MessageType::kTimeoutNow;
    timeout_now.to = successor;
    timeout_now.term = term();
    Send(std::move(timeout_now));
  }
  BecomeFollower(term(), kNoNode);
}

}  // namespace tessera::raft
