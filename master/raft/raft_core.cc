// RaftCore: start-up, message dispatch, term handling and role changes. Elections, replication,
// snapshots, membership, transfer and reads live in their own raft_*.cc files.
#include "master/raft/raft_core.h"

#include <utility>

#include "common/logging.h"

namespace tessera::raft {
namespace {

constexpr char kLog[] = "raft";

Status CheckStoredEntries(const SnapshotMeta& snapshot, const std::vector<LogEntry>& entries) {
  LogIndex expected = snapshot.index + 1;
  Term previous_term = snapshot.term;
  for (const LogEntry& entry : entries) {
    if (entry.index != expected) return Status::Corruption("raft log has a gap or overlap");
    if (entry.term < previous_term) return Status::Corruption("raft log terms go backwards");
    if (entry.kind == EntryKind::kMembership && !Membership::Decode(entry.data).ok()) {
      return Status::Corruption("raft log holds an undecodable membership entry");
    }
    previous_term = entry.term;
    ++expected;
  }
  return Status::Ok();
}

}  // namespace

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kFollower:
      return "follower";
    case Role::kPreCandidate:
      return "pre-candidate";
    case Role::kCandidate:
      return "candidate";
    case Role::kLeader:
      return "leader";
  }
  return "unknown";
}

std::string_view ProgressModeName(ProgressMode mode) {
  switch (mode) {
    case ProgressMode::kProbe:
      return "probe";
    case ProgressMode::kReplicate:
      return "replicate";
    case ProgressMode::kSnapshot:
      return "snapshot";
  }
  return "unknown";
}

RaftCore::RaftCore(RaftConfig config, NodeId self, RaftStorage* storage, Transport* transport,
                   RaftStateMachine* state_machine, Random* random, RaftListener* listener)
    : config_(config),
      self_(self),
      storage_(storage),
      transport_(transport),
      state_machine_(state_machine),
      random_(random),
      listener_(listener) {}

Status RaftCore::Bootstrap(RaftStorage* storage, const Membership& initial) {
  if (initial.voters.empty()) return Status::InvalidArgument("a group needs at least one voter");
  RETURN_IF_ERROR(Membership::Decode(initial.Encode()).status());
  LogEntry first{.term = 1, .index = 1, .kind = EntryKind::kMembership, .data = initial.Encode()};
  ASSIGN_OR_RETURN(StoredState state, storage->Load());
  bool empty = !state.snapshot && state.entries.empty();
  // A crash between the two writes below leaves just the entry: finish the job.
  bool half_done = !state.snapshot && state.entries.size() == 1 && state.entries[0] == first;
  if ((!empty && !half_done) || state.hard_state.term > 1) {
    return Status::AlreadyExists("raft storage already holds a group's state");
  }
  if (empty) RETURN_IF_ERROR(storage->Append({first}));
  return storage->SaveHardState(HardState{.term = 1, .voted_for = kNoNode});
}

Status RaftCore::Start() {
  if (started_) return Status::Internal("RaftCore::Start called twice");
  started_ = true;
  Status status = LoadAndRecover();
  if (!status.ok()) {
    Check(status);
    return status;
  }
  LOG(kInfo, kLog) << "node " << self_ << " started: term " << term() << ", log ("
                   << log_.snapshot_index() << ", " << log_.last_index() << "], applied "
                   << applied_index_;
  NotifyRoleIfChanged();
  return Status::Ok();
}

Status RaftCore::LoadAndRecover() {
  RETURN_IF_ERROR(config_.Validate());
  if (self_ == kNoNode) return Status::InvalidArgument("node id 0 is reserved");
  ASSIGN_OR_RETURN(StoredState state, storage_->Load());
  SnapshotMeta snapshot = state.snapshot.value_or(SnapshotMeta{});
  RETURN_IF_ERROR(CheckStoredEntries(snapshot, state.entries));
  log_.Reset(snapshot, std::move(state.entries));
  hard_state_ = state.hard_state;
  RETURN_IF_ERROR(RecoverInterruptedRestore());

  LogIndex applied = state_machine_->AppliedIndex();
  if (applied < log_.snapshot_index() || applied > log_.last_index()) {
    return Status::Corruption("state machine applied index " + std::to_string(applied) +
                              " outside the raft log (" + std::to_string(log_.snapshot_index()) +
                              ", " + std::to_string(log_.last_index()) + "]");
  }
  // What was applied was committed.
  applied_index_ = applied;
  commit_index_ = applied;
  if (hard_state_.term < log_.last_term()) {
    RETURN_IF_ERROR(storage_->SaveHardState(HardState{log_.last_term(), kNoNode}));
    hard_state_ = HardState{log_.last_term(), kNoNode};
  }
  role_ = Role::kFollower;
  leader_ = kNoNode;
  ResetElectionTimer();
  return Status::Ok();
}

void RaftCore::Tick() {
  if (!Running()) return;
  ++election_elapsed_;
  if (ticks_since_start_ < config_.election_timeout_ticks) ++ticks_since_start_;
  if (role_ == Role::kLeader) {
    TickHeartbeat();
    if (role_ == Role::kLeader) TickTransfer();
  } else {
    TickElection();
  }
  NotifyRoleIfChanged();
}

void RaftCore::Step(const Message& message) {
  if (!Running()) return;
  if (message.to != self_ || message.from == kNoNode || message.from == self_ ||
      !WellFormed(message)) {
    ++counters_.messages_ignored;
    return;
  }
  if (HandleTerm(message) && Running()) {
    switch (message.type) {
      case MessageType::kPreVote:
      case MessageType::kVote:
        HandleVoteRequest(message);
        break;
      case MessageType::kPreVoteReply:
      case MessageType::kVoteReply:
        HandleVoteReply(message);
        break;
      case MessageType::kAppend:
        HandleAppend(message);
        break;
      case MessageType::kAppendReply:
        HandleAppendReply(message);
        break;
      case MessageType::kInstallSnapshot:
        HandleInstallSnapshot(message);
        break;
      case MessageType::kInstallSnapshotReply:
        HandleInstallSnapshotReply(message);
        break;
      case MessageType::kTimeoutNow:
        HandleTimeoutNow(message);
        break;
    }
  }
  if (Running()) NotifyRoleIfChanged();
}

bool RaftCore::WellFormed(const Message& message) const {
  switch (message.type) {
    case MessageType::kPreVote:
    case MessageType::kPreVoteReply:
    case MessageType::kVote:
    case MessageType::kVoteReply:
    case MessageType::kAppendReply:
    case MessageType::kInstallSnapshotReply:
    case MessageType::kTimeoutNow:
      return true;
    case MessageType::kInstallSnapshot:
      return message.snapshot.index > 0 && message.snapshot.term <= message.term &&
             !message.snapshot.membership.voters.empty();
    case MessageType::kAppend: {
      if (message.prev_log_index == 0 && message.prev_log_term != 0) return false;
      LogIndex expected = message.prev_log_index + 1;
      Term previous_term = message.prev_log_term;
      for (const LogEntry& entry : message.entries) {
        if (entry.index != expected++ || entry.term < previous_term || entry.term > message.term) {
          return false;
        }
        if (entry.kind == EntryKind::kMembership && !Membership::Decode(entry.data).ok()) {
          return false;
        }
        previous_term = entry.term;
      }
      return true;
    }
  }
  return false;
}

bool RaftCore::HandleTerm(const Message& message) {
  bool vote_request = message.type == MessageType::kPreVote || message.type == MessageType::kVote;
  if (message.term > term()) {
    if (vote_request && !message.leadership_transfer && InLease()) {
      // Leader stickiness: a leader was heard recently, so this candidate is partitioned,
      // removed or impatient; neither its term nor its request may disturb the group.
      ++counters_.messages_ignored;
      return false;
    }
    // A pre-vote asks about a term the sender has not adopted; a granted reply echoes it.
    if (message.type == MessageType::kPreVote) return true;
    if (message.type == MessageType::kPreVoteReply && !message.reject) return true;
    bool from_leader = message.type == MessageType::kAppend ||
                       message.type == MessageType::kInstallSnapshot ||
                       message.type == MessageType::kTimeoutNow;
    return AdoptTerm(message.term, from_leader ? message.from : kNoNode);
  }
  if (message.term < term()) {
    // Tell a stale leader about the newer term so that it steps down; pre-vote needs an answer
    // so that a lagging pre-candidate learns the term. Anything else stale is dropped.
    if (message.type == MessageType::kAppend) {
      Message reply = ReplyTo(message, MessageType::kAppendReply);
      reply.reject = true;
      Send(std::move(reply));
    } else if (message.type == MessageType::kInstallSnapshot) {
      Send(ReplyTo(message, MessageType::kInstallSnapshotReply));
    } else if (message.type == MessageType::kPreVote) {
      Message reply = ReplyTo(message, MessageType::kPreVoteReply);
      reply.reject = true;
      Send(std::move(reply));
    }
    ++counters_.messages_ignored;
    return false;
  }
  return true;
}

Message RaftCore::ReplyTo(const Message& request, MessageType type) const {
  Message reply;
  reply.type = type;
  reply.to = request.from;
  reply.term = term();
  return reply;
}

void RaftCore::Send(Message message) {
  message.from = self_;
  transport_->Send(std::move(message));
}

bool RaftCore::Check(const Status& status) {
  if (status.ok()) return true;
  if (stopped_) return false;
  stopped_ = true;
  LOG(kError, kLog) << "node " << self_ << " stopped: " << status.ToString();
  listener_->OnStopped(status);
  return false;
}

bool RaftCore::SaveHardState(HardState state) {
  if (state == hard_state_) return true;
  if (!Check(storage_->SaveHardState(state))) return false;
  hard_state_ = state;
  return true;
}

bool RaftCore::AdoptTerm(Term new_term, NodeId leader) {
  if (!SaveHardState(HardState{new_term, kNoNode})) return false;
  ++counters_.terms_started;
  BecomeFollower(new_term, leader);
  return true;
}

void RaftCore::BecomeFollower(Term current_term, NodeId leader) {
  if (role_ == Role::kLeader) {
    FailPendingReads();
    if (transfer_target_ != kNoNode) AbortTransfer("leadership lost");
    progress_.clear();
  }
  if (role_ != Role::kFollower) {
    LOG(kInfo, kLog) << "node " << self_ << " became follower in term " << current_term << " (was "
                     << RoleName(role_) << ")";
  }
  role_ = Role::kFollower;
  leader_ = leader;
  votes_.clear();
  ResetElectionTimer();
}

void RaftCore::BecomeLeader() {
  role_ = Role::kLeader;
  leader_ = self_;
  votes_.clear();
  election_elapsed_ = 0;
  heartbeat_elapsed_ = 0;
  transfer_target_ = kNoNode;
  read_round_acked_ = read_round_;
  restore_sink_.reset();
  ++counters_.leaderships_won;
  progress_.clear();
  SyncProgress();
  LOG(kInfo, kLog) << "node " << self_ << " became leader in term " << term() << " with log ("
                   << log_.snapshot_index() << ", " << log_.last_index() << "]";
  // Thesis 6.4: a noop of the new term commits everything before it and lets reads proceed.
  LogEntry noop{
      .term = term(), .index = log_.last_index() + 1, .kind = EntryKind::kNoop, .data = {}};
  if (!AppendEntries({noop})) return;
  for (auto& [peer, progress] : progress_) SendToPeer(peer, true);
  MaybeAdvanceCommit();
}

void RaftCore::ResetElectionTimer() {
  election_elapsed_ = 0;
  randomized_election_timeout_ =
      config_.election_timeout_ticks +
      static_cast<int>(random_->Uniform(static_cast<uint64_t>(config_.election_timeout_ticks)));
}

void RaftCore::NotifyRoleIfChanged() {
  if (role_ == reported_role_ && term() == reported_term_ && leader_ == reported_leader_) return;
  reported_role_ = role_;
  reported_term_ = term();
  reported_leader_ = leader_;
  listener_->OnRoleChanged(role_, term(), leader_);
}

std::string RaftCore::leader_address() const {
  const Member* leader = log_.membership().Find(leader_);
  return leader == nullptr ? std::string() : leader->address;
}

std::vector<PeerStatus> RaftCore::Peers() const {
  std::vector<PeerStatus> peers;
  if (role_ != Role::kLeader) return peers;
  for (const auto& [id, progress] : progress_) {
    const Member* member = log_.membership().Find(id);
    if (member == nullptr) continue;
    peers.push_back(PeerStatus{.member = *member,
                               .voter = log_.membership().IsVoter(id),
                               .match_index = progress.match,
                               .next_index = progress.next,
                               .mode = progress.mode,
                               .recently_active =
                                   progress.recently_active || progress.active_last_round});
  }
  return peers;
}

}  // namespace tessera::raft
