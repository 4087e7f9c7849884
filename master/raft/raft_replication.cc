// Log replication (thesis 3.5, 10.2): proposals, Append with batching and pipelining, the
// follower's log check and conflict truncation, commitment by quorum and applying.
#include <algorithm>
#include <utility>

#include "common/logging.h"
#include "master/raft/raft_core.h"

namespace tessera::raft {
namespace {
constexpr char kLog[] = "raft";
}  // namespace

Result<LogIndex> RaftCore::Propose(std::vector<std::string> commands) {
  if (!Running()) return Status::Unavailable("raft core is not running");
  if (role_ != Role::kLeader) return Status::NotLeader(leader_address());
  if (transfer_target_ != kNoNode) return Status::Unavailable("leadership transfer under way");
  if (commands.empty()) return Status::InvalidArgument("empty proposal");
  std::vector<LogEntry> entries;
  entries.reserve(commands.size());
  LogIndex first = log_.last_index() + 1;
  for (std::string& command : commands) {
    entries.push_back(LogEntry{.term = term(),
                               .index = first + entries.size(),
                               .kind = EntryKind::kCommand,
                               .data = std::move(command)});
  }
  // The followers get the entries before the leader's own fsync, so that their disks and the
  // leader's work at the same time (thesis 10.2.1). Nothing can commit before the leader's
  // write returns: no reply is handled inside this call, and a failed write stops the node.
  log_.Append(entries);
  for (auto& [peer, progress] : progress_) SendToPeer(peer, false);
  if (!Check(storage_->Append(entries))) return Status::Unavailable("raft core stopped");
  MaybeAdvanceCommit();
  return first;
}

bool RaftCore::AppendEntries(const std::vector<LogEntry>& entries) {
  if (entries.empty()) return true;
  if (!Check(storage_->Append(entries))) return false;
  log_.Append(entries);
  return true;
}

void RaftCore::TickHeartbeat() {
  ++heartbeat_elapsed_;
  if (election_elapsed_ >= config_.election_timeout_ticks) {
    election_elapsed_ = 0;
    // Check-quorum: a leader cut off from a majority steps down instead of holding clients.
    std::map<NodeId, bool> active;
    active[self_] = true;
    for (auto& [peer, progress] : progress_) {
      active[peer] = progress.recently_active;
      progress.active_last_round = progress.recently_active;
      progress.recently_active = false;
    }
    if (!QuorumOf(active)) {
      LOG(kWarning, kLog) << "node " << self_ << " steps down in term " << term()
                          << ": no quorum heard within an election timeout";
      BecomeFollower(term(), kNoNode);
      return;
    }
  }
  for (auto& [peer, progress] : progress_) {
    if (progress.mode == ProgressMode::kSnapshot &&
        ++progress.snapshot_wait_ticks >= 2 * config_.heartbeat_ticks) {
      SendSnapshotChunk(peer, progress);
    }
  }
  MaybePromoteLearner();
  if (role_ == Role::kLeader && heartbeat_elapsed_ >= config_.heartbeat_ticks) {
    heartbeat_elapsed_ = 0;
    BroadcastHeartbeats();
  }
}

void RaftCore::BroadcastHeartbeats() {
  for (auto& [peer, progress] : progress_) SendToPeer(peer, true);
}

Message RaftCore::AppendTo(NodeId peer, LogIndex prev, std::vector<LogEntry> entries) const {
  Message append;
  append.type = MessageType::kAppend;
  append.to = peer;
  append.term = term();
  append.prev_log_index = prev;
  append.prev_log_term = log_.TermAt(prev).value_or(0);
  append.entries = std::move(entries);
  append.commit_index = commit_index_;
  append.read_round = read_round_;
  return append;
}

void RaftCore::SendToPeer(NodeId peer, bool heartbeat) {
  if (!Running() || role_ != Role::kLeader) return;
  auto it = progress_.find(peer);
  if (it == progress_.end()) return;
  Progress& progress = it->second;
  if (progress.mode == ProgressMode::kSnapshot) return;  // chunks are paced by their replies
  if (progress.next <= log_.snapshot_index()) {
    StartSnapshot(peer, progress);
    return;
  }
  if (progress.mode == ProgressMode::kProbe) {
    if (progress.probe_sent && !heartbeat) return;
    std::vector<LogEntry> entries;
    if (progress.next <= log_.last_index()) {
      entries = log_.Slice(progress.next, config_.max_append_entries, config_.max_append_bytes);
    }
    Send(AppendTo(peer, progress.next - 1, std::move(entries)));
    progress.probe_sent = true;
    return;
  }
  bool sent = false;
  while (progress.next <= log_.last_index() &&
         progress.inflight.size() < static_cast<size_t>(config_.max_inflight_appends)) {
    std::vector<LogEntry> entries =
        log_.Slice(progress.next, config_.max_append_entries, config_.max_append_bytes);
    LogIndex last = entries.back().index;
    Send(AppendTo(peer, progress.next - 1, std::move(entries)));
    progress.inflight.push_back(last);
    progress.next = last + 1;
    sent = true;
  }
  // An empty Append still checks the log at next - 1: if an earlier Append was lost, the
  // follower refuses it and the leader falls back to probing instead of waiting forever.
  if (!sent && heartbeat) Send(AppendTo(peer, progress.next - 1, {}));
}

void RaftCore::HandleAppend(const Message& message) {
  if (role_ == Role::kLeader) {
    LOG(kError, kLog) << "node " << self_ << " got an Append from node " << message.from
                      << " while leading term " << term();
    return;
  }
  if (role_ != Role::kFollower) BecomeFollower(term(), message.from);
  leader_ = message.from;
  election_elapsed_ = 0;

  Message reply = ReplyTo(message, MessageType::kAppendReply);
  reply.read_round = message.read_round;
  // Everything through commit_index_ already matches the leader's log; skip that part.
  LogIndex prev = message.prev_log_index;
  Term prev_term = message.prev_log_term;
  size_t skip = 0;
  if (prev < commit_index_) {
    skip = static_cast<size_t>(std::min<LogIndex>(commit_index_ - prev, message.entries.size()));
    prev += skip;
    prev_term = skip > 0 ? message.entries[skip - 1].term : prev_term;
    if (prev < commit_index_) {
      // The whole message is below the commit index.
      reply.match_index = prev;
      Send(std::move(reply));
      return;
    }
  }
  std::optional<Term> local_term = log_.TermAt(prev);
  if (!local_term || *local_term != prev_term) {
    ++counters_.appends_rejected;
    reply.reject = true;
    reply.reject_index = message.prev_log_index;
    reply.hint_index =
        log_.LastIndexWithTermAtMost(std::min(prev, log_.last_index()), message.prev_log_term);
    reply.hint_term = log_.TermAt(reply.hint_index).value_or(0);
    Send(std::move(reply));
    return;
  }
  std::vector<LogEntry> fresh;
  for (size_t i = skip; i < message.entries.size(); ++i) {
    const LogEntry& entry = message.entries[i];
    if (fresh.empty()) {
      std::optional<Term> existing = log_.TermAt(entry.index);
      if (existing && *existing == entry.term) continue;
      if (existing) {
        // A conflicting suffix can never hold committed entries (Log Matching, Leader
        // Completeness); finding one below the commit index means the log is corrupt.
        if (entry.index <= commit_index_) {
          Check(Status::Internal("leader's log conflicts with a committed entry"));
          return;
        }
        if (!Check(storage_->TruncateFrom(entry.index))) return;
        log_.TruncateFrom(entry.index);
      }
    }
    fresh.push_back(entry);
  }
  if (!AppendEntries(fresh)) return;
  LogIndex last_new = message.prev_log_index + message.entries.size();
  if (message.commit_index > commit_index_) {
    AdvanceCommit(std::min(message.commit_index, last_new));
  }
  reply.match_index = last_new;
  if (Running()) Send(std::move(reply));
}

Progress* RaftCore::PeerAnswered(const Message& message) {
  if (role_ != Role::kLeader) return nullptr;
  auto it = progress_.find(message.from);
  if (it == progress_.end()) return nullptr;
  it->second.recently_active = true;
  HandleReadAck(message.from, message.read_round);
  return Running() && role_ == Role::kLeader ? &it->second : nullptr;
}

void RaftCore::HandleAppendReply(const Message& message) {
  Progress* answered = PeerAnswered(message);
  if (answered == nullptr) return;
  Progress& progress = *answered;

  if (message.reject) {
    if (message.reject_index <= progress.match) {
      // Usually an answer to an old Append. But a peer whose disk was wiped refuses the very
      // entry it matched (a heartbeat checks next - 1 == match) and hints at a shorter log;
      // without this the leader would wait for it forever. At worst a late stale answer costs
      // one probe round.
      if (message.reject_index < progress.match || message.hint_index >= progress.match) return;
      LOG(kWarning, kLog) << "node " << message.from << " no longer holds index "
                          << message.reject_index << " it had acknowledged (its log ends at or "
                          << "before " << message.hint_index << "; wiped?): replicating again";
      progress.match = message.hint_index;
      progress.BecomeProbe(message.hint_index + 1);
      SendToPeer(message.from, false);
      return;
    }
    if (progress.mode == ProgressMode::kProbe && message.reject_index != progress.next - 1) {
      return;  // answers an older probe
    }
    if (progress.mode == ProgressMode::kSnapshot) return;
    LogIndex hint = message.hint_index;
    if (hint > log_.snapshot_index()) hint = log_.LastIndexWithTermAtMost(hint, message.hint_term);
    progress.BecomeProbe(std::max(progress.match + 1, std::min(message.reject_index, hint + 1)));
    SendToPeer(message.from, false);
    return;
  }

  bool advanced = message.match_index > progress.match;
  progress.match = std::max(progress.match, message.match_index);
  while (!progress.inflight.empty() && progress.inflight.front() <= progress.match) {
    progress.inflight.pop_front();
  }
  switch (progress.mode) {
    case ProgressMode::kProbe:
      progress.BecomeReplicate();
      break;
    case ProgressMode::kReplicate:
      progress.next = std::max(progress.next, progress.match + 1);
      break;
    case ProgressMode::kSnapshot:
      if (progress.match < progress.snapshot_meta.index) return;
      progress.BecomeProbe(progress.match + 1);
      break;
  }
  if (advanced) {
    MaybeAdvanceCommit();
    if (role_ != Role::kLeader) return;
    if (message.from == transfer_target_) MaybeSendTimeoutNow();
    MaybePromoteLearner();
  }
  SendToPeer(message.from, false);
}

LogIndex RaftCore::QuorumMatchIndex() const {
  std::vector<LogIndex> matches;
  for (const Member& voter : log_.membership().voters) {
    if (voter.id == self_) {
      matches.push_back(log_.last_index());
    } else {
      auto it = progress_.find(voter.id);
      matches.push_back(it == progress_.end() ? 0 : it->second.match);
    }
  }
  if (matches.empty()) return 0;
  std::sort(matches.begin(), matches.end(), std::greater<>());
  return matches[matches.size() / 2];
}

void RaftCore::MaybeAdvanceCommit() {
  if (role_ != Role::kLeader) return;
  LogIndex quorum_index = QuorumMatchIndex();
  // Only entries of the leader's own term are committed by counting (thesis 3.6.2).
  if (quorum_index > commit_index_ && log_.TermAt(quorum_index) == term()) {
    AdvanceCommit(quorum_index);
  }
}

void RaftCore::AdvanceCommit(LogIndex index) {
  if (index <= commit_index_) return;
  commit_index_ = std::min(index, log_.last_index());
  ApplyCommitted();
  if (!Running()) return;
  OnCommittedMembership();
  if (!Running()) return;
  if (role_ == Role::kLeader) {
    StartReadRoundIfNeeded();
    UpdateConfirmedReads();
  }
  MaybeCompact();
}

void RaftCore::ApplyCommitted() {
  while (applied_index_ < commit_index_) {
    if (!Check(state_machine_->Apply(log_.At(applied_index_ + 1)))) return;
    ++applied_index_;
  }
}

}  // namespace tessera::raft
