// RaftCore: one node of a Raft group (Ongaro's thesis), as a deterministic state machine driven
// by its caller: Tick() for time, Step() for arriving messages, and the client calls.
//
// What it does: leader election with pre-vote and randomized timeouts; check-quorum and leader
// stickiness; log replication with batching and pipelining; persistence of term, vote and log
// before answering; log compaction and InstallSnapshot; leadership transfer (TimeoutNow);
// single-server membership changes with a learner stage; linearizable reads by ReadIndex.
//
// What it does not know: files, sockets, clocks. Storage, the network, randomness and the state
// machine reach it through the interfaces passed to the constructor, so the very same core runs
// in the daemon and in the deterministic simulation. Entry payloads are opaque bytes.
//
// Ownership: the core borrows every interface; each must outlive it.
// Thread-safety: none. The caller serializes every call (one thread, or one lock around all
// calls); callbacks (RaftListener, Transport, RaftStateMachine) run inside those calls.
// Failure: an error from storage or the state machine stops the core for good
// (RaftListener::OnStopped); afterwards every call is refused. Restart by building a new
// RaftCore over the same storage and calling Start().
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "master/raft/progress.h"
#include "master/raft/raft_config.h"
#include "master/raft/raft_listener.h"
#include "master/raft/raft_log.h"
#include "master/raft/raft_state_machine.h"
#include "master/raft/raft_storage.h"
#include "master/raft/raft_types.h"
#include "master/raft/random.h"
#include "master/raft/transport.h"

namespace tessera::raft {

// Monotonic event counts, for metrics.
struct RaftCounters {
  uint64_t elections_started = 0;  // candidacies (after a won pre-vote, or a transfer)
  uint64_t terms_started = 0;      // times this node adopted a higher term
  uint64_t leaderships_won = 0;
  uint64_t snapshots_sent = 0;       // snapshots fully delivered to a follower
  uint64_t snapshots_installed = 0;  // snapshots installed on this node
  uint64_t compactions = 0;
  uint64_t appends_rejected = 0;  // Append messages this node refused (log mismatch)
  uint64_t messages_ignored = 0;  // stale, misaddressed or malformed messages
};

// A peer as the leader sees it, for an operator's `members` listing.
struct PeerStatus {
  Member member;
  bool voter = false;
  LogIndex match_index = 0;
  LogIndex next_index = 0;
  ProgressMode mode = ProgressMode::kProbe;
  bool recently_active = false;
};

class RaftCore {
 public:
  // REQUIRES: config.Validate() is OK (Start checks it again), self != kNoNode.
  RaftCore(RaftConfig config, NodeId self, RaftStorage* storage, Transport* transport,
           RaftStateMachine* state_machine, Random* random, RaftListener* listener);
  RaftCore(const RaftCore&) = delete;
  RaftCore& operator=(const RaftCore&) = delete;

  // Writes the first configuration of a new group (entry 1, a membership entry of term 1) into
  // empty storage. Every founding member calls it once with the same `initial`; a server that
  // joins later starts from empty storage without it and waits to be added. Repeating the call
  // on storage that holds just that entry completes it (a crash may have cut it short);
  // AlreadyExists when the storage holds anything else. InvalidArgument without voters.
  static Status Bootstrap(RaftStorage* storage, const Membership& initial);

  // Loads the persistent state and finishes a snapshot install that a crash interrupted. Applies
  // nothing: the commit index is not persistent, so entries after the state machine's applied
  // index are applied once a leader reports them committed. Must be called once, before any
  // other call; a failure leaves the core stopped.
  Status Start();

  // One unit of time: elections, heartbeats, check-quorum, retransmission.
  void Tick();
  // Handles one message from a peer. Malformed, misaddressed and stale messages are ignored.
  void Step(const Message& message);

  // Appends `commands` as consecutive kCommand entries of term() with one storage write and
  // starts replicating them. Returns the index of the first one; the caller learns each
  // outcome from RaftStateMachine::Apply: the entry at that index carries term() of this call
  // when the command committed, another term when it was lost.
  // NotLeader (message: the leader's address, or empty when unknown) on a non-leader;
  // Unavailable while a leadership transfer is under way or when the core has stopped (if it
  // stopped inside this call, storage may hold the entries: their outcome is unknown);
  // InvalidArgument for an empty batch.
  Result<LogIndex> Propose(std::vector<std::string> commands);

  // Registers a linearizable read. OnReadIndexReady(context, index) follows once this node has
  // confirmed it is still the leader; OnReadIndexFailed(context) if it loses leadership first.
  // NotLeader on a non-leader.
  Status ReadIndex(uint64_t context);

  // Hands leadership to `target` (kNoNode: the most up-to-date voter) by catching it up and
  // sending TimeoutNow. Proposals are refused until the transfer ends (an election timeout at
  // most). NotLeader, InvalidArgument (not a voter, or self), Unavailable (a transfer runs).
  Status TransferLeadership(NodeId target);

  // Single-server membership changes (thesis ch. 4). AddServer appends a configuration with
  // `member` as a learner; once it has caught up, the leader promotes it to voter with a second
  // change. RemoveServer appends a configuration without `id` (a removed leader keeps leading
  // until that entry commits, then steps down). Both return the index of the appended entry.
  // NotLeader; Unavailable when this leader has not yet committed an entry of its term or
  // another change (or a promotion) is not yet committed; AlreadyExists / NotFound for the
  // member; InvalidArgument for removing the last voter.
  Result<LogIndex> AddServer(Member member);
  Result<LogIndex> RemoveServer(NodeId id);

  // ---- observers ----
  NodeId id() const { return self_; }
  Role role() const { return role_; }
  Term term() const { return hard_state_.term; }
  NodeId leader_id() const { return leader_; }
  // Empty when the leader is unknown or not in the configuration.
  std::string leader_address() const;
  LogIndex commit_index() const { return commit_index_; }
  LogIndex last_index() const { return log_.last_index(); }
  LogIndex applied_index() const { return applied_index_; }
  LogIndex snapshot_index() const { return log_.snapshot_index(); }
  // The latest configuration in the log (in force even before it commits).
  const Membership& membership() const { return log_.membership(); }
  // Every member but this node, as this leader tracks it; empty on a non-leader.
  std::vector<PeerStatus> Peers() const;
  const RaftCounters& counters() const { return counters_; }
  bool stopped() const { return stopped_; }

 private:
  struct PendingRead {
    uint64_t context = 0;
    LogIndex index = 0;  // the commit index when the read arrived
    uint64_t round = 0;  // the heartbeat round that confirms it; 0 = waiting for the noop
  };

  // ---- raft_core.cc: lifecycle, dispatch and role changes ----
  bool Running() const { return started_ && !stopped_; }
  // Stops the core when `status` is an error; returns status.ok().
  bool Check(const Status& status);
  bool SaveHardState(HardState state);
  // Adopts a higher term as a follower (vote cleared).
  bool AdoptTerm(Term term, NodeId leader);
  void BecomeFollower(Term term, NodeId leader);
  void BecomeLeader();
  void ResetElectionTimer();
  void NotifyRoleIfChanged();
  void Send(Message message);
  bool WellFormed(const Message& message) const;
  Status LoadAndRecover();
  // A reply addressed to the sender of `request`, with this node's term.
  Message ReplyTo(const Message& request, MessageType type) const;
  // Term checks common to every message; false when the message is done with.
  bool HandleTerm(const Message& message);

  // ---- raft_election.cc ----
  void TickElection();
  void StartPreVote();
  void StartElection(bool leadership_transfer);
  void SendVoteRequests(MessageType type, Term term, bool leadership_transfer);
  void HandleVoteRequest(const Message& message);
  void HandleVoteReply(const Message& message);
  // A leader was heard within the minimum election timeout (leader stickiness).
  bool InLease() const;
  bool CanCampaign() const;
  bool QuorumOf(const std::map<NodeId, bool>& responses) const;

  // ---- raft_replication.cc ----
  void TickHeartbeat();
  void BroadcastHeartbeats();
  // Sends what the peer needs next: entries (pipelined up to the in-flight limit), a probe, or
  // a snapshot chunk. `heartbeat`: send an Append even if there is nothing new.
  void SendToPeer(NodeId peer, bool heartbeat);
  void HandleAppend(const Message& message);
  void HandleAppendReply(const Message& message);
  // A peer answered this leader: it counts as alive and its ReadIndex round is noted. The
  // peer's progress, or nullptr when this node no longer leads or does not track the peer.
  Progress* PeerAnswered(const Message& message);
  // Appends to storage, then to the in-memory log.
  bool AppendEntries(const std::vector<LogEntry>& entries);
  Message AppendTo(NodeId peer, LogIndex prev, std::vector<LogEntry> entries) const;
  void MaybeAdvanceCommit();
  void AdvanceCommit(LogIndex index);
  void ApplyCommitted();
  LogIndex QuorumMatchIndex() const;

  // ---- raft_snapshot.cc ----
  void SendSnapshotChunk(NodeId peer, Progress& progress);
  void HandleInstallSnapshot(const Message& message);
  void HandleInstallSnapshotReply(const Message& message);
  // After Commit of a restore: make the log agree with the snapshot.
  Status AdoptSnapshot(const SnapshotMeta& meta);
  void StartSnapshot(NodeId peer, Progress& progress);
  void MaybeCompact();
  Status RecoverInterruptedRestore();

  // ---- raft_membership.cc ----
  Status CheckMembershipChangeAllowed() const;
  Result<LogIndex> AppendMembership(const Membership& next);
  // Keeps progress_ in step with the configuration in force.
  void SyncProgress();
  void MaybePromoteLearner();
  void OnCommittedMembership();

  // ---- raft_transfer.cc ----
  void TickTransfer();
  void MaybeSendTimeoutNow();
  void HandleTimeoutNow(const Message& message);
  void AbortTransfer(const char* why);

  // ---- raft_read_index.cc ----
  bool CommittedInCurrentTerm() const;
  void StartReadRoundIfNeeded();
  void HandleReadAck(NodeId peer, uint64_t round);
  // Recomputes the round a quorum has confirmed, answers the reads it covers and starts the
  // next round for reads that arrived meanwhile.
  void UpdateConfirmedReads();
  void FailPendingReads();

  const RaftConfig config_;
  const NodeId self_;
  RaftStorage* const storage_;
  Transport* const transport_;
  RaftStateMachine* const state_machine_;
  Random* const random_;
  RaftListener* const listener_;

  bool started_ = false;
  bool stopped_ = false;
  RaftCounters counters_;

  HardState hard_state_;
  RaftLog log_;
  LogIndex commit_index_ = 0;
  LogIndex applied_index_ = 0;

  Role role_ = Role::kFollower;
  NodeId leader_ = kNoNode;
  // Ticks since the last reset: since the leader was heard (follower), since the campaign
  // started (candidates), since the last check-quorum (leader).
  int election_elapsed_ = 0;
  // Ticks since Start, counted up to the election timeout. A node that just (re)started may
  // have acknowledged a leader moments before it crashed, and that leader may be serving reads
  // on a lease; so it grants no (pre)vote for one election timeout, as if it had heard from a
  // leader (InLease).
  int ticks_since_start_ = 0;
  int randomized_election_timeout_ = 0;
  int heartbeat_elapsed_ = 0;
  std::map<NodeId, bool> votes_;  // (pre)vote replies of the current campaign

  // Leader state.
  std::map<NodeId, Progress> progress_;  // every member but self
  NodeId transfer_target_ = kNoNode;
  int transfer_elapsed_ = 0;
  std::deque<PendingRead> pending_reads_;
  uint64_t read_round_ = 0;        // the last round started
  uint64_t read_round_acked_ = 0;  // the last round a quorum confirmed

  // Follower state: a snapshot being received.
  std::unique_ptr<SnapshotSink> restore_sink_;
  SnapshotMeta restore_meta_;
  uint64_t restore_offset_ = 0;

  // What OnRoleChanged last reported.
  Role reported_role_ = Role::kFollower;
  Term reported_term_ = 0;
  NodeId reported_leader_ = kNoNode;
};

}  // namespace tessera::raft
