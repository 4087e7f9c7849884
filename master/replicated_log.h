// The command log of a replicated master: namespace commands go through a Raft group
// (master/raft/) and are applied by every replica's state machine in log order.
//
// Threads: one Raft thread, owned here, makes every call into the RaftCore (which is
// single-threaded) and runs its callbacks: applying entries, role changes, reads confirmed.
// RPC threads never touch the core; they queue their request (a proposal, a read barrier, a
// batch of peer messages, an operator's change) under mu_, wake the Raft thread and wait for a
// future with a deadline. Nothing blocking happens under mu_ or status_mu_; the Raft thread does
// the storage fsyncs (RaftStorage) outside both.
//
// Proposals: the leader fills each command's ids and time (proposal_fields.h) on the Raft thread,
// from a cursor it starts only once an entry of its own term has been applied, so that every
// id of earlier terms is known. A batch of waiting proposals becomes one Raft append (one fsync).
// A proposer learns its outcome when its entry is applied; if the entry at that index turns out
// to carry another term, or this master loses the leadership first, the outcome is unknown and
// the caller gets kUnavailable (a retry with the same session is answered, not re-applied).
//
// Reads: ReadBarrier registers a ReadIndex read and returns once the leadership was confirmed by
// a quorum and the state machine applied up to the read index (thesis 6.4). A leader that holds
// a lease answers at once instead, on the caller's thread: when a quorum confirmed a ReadIndex
// round registered at time t, each of them had heard from this leader after t, and a voter that
// heard from a leader grants no vote for one election timeout (leader stickiness; a restarted
// node also waits that long), so no other leader can exist before t + election timeout. The
// lease ends earlier than that (lease_fraction) to leave room for timer jitter; it is measured on
// the monotonic clock, so a leader that was paused finds it expired, and it is dropped at once
// on any change of role and before any leadership transfer. Writes are acknowledged only after
// they are applied here, so the local state then reflects every acknowledged write.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <future>
#include <map>
#include <optional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "master/command_log.h"
#include "master/master_group.h"
#include "master/namespace_replica.h"
#include "master/proposal_fields.h"
#include "master/raft/raft_core.h"
#include "master/raft_transport.h"
#include "master/state_machine.h"

namespace tessera::master {

struct ReplicatedLogOptions {
  raft::NodeId id = raft::kNoNode;
  raft::RaftConfig raft;
  int tick_ms = 50;
  // How long a proposal, read barrier or membership change waits for the group.
  int request_timeout_ms = 10000;
  // Lease reads (see the file comment): the lease lasts this fraction of the minimum election
  // timeout after the confirming round started. 0 turns leases off (every read is a ReadIndex).
  double lease_fraction = 0.75;
  // Asked once per leadership, when the new leader may first propose: a command to log before
  // any client's, or nothing. Reads wait until it is applied. (The master creates the root of a
  // new namespace this way, so no client ever sees a namespace without one.)
  std::function<std::optional<MetaCommand>()> leader_first_command;
};

class ReplicatedLog final : public CommandLog, public MasterGroup, private raft::RaftListener {
 public:
  // Starts the Raft core over `storage` (bootstrapped already, or empty for a master that waits
  // to be added) and the Raft thread. Borrows every pointer; each must outlive the log.
  static Result<std::unique_ptr<ReplicatedLog>> Start(ReplicatedLogOptions options,
                                                      raft::RaftStorage* storage,
                                                      NamespaceReplica* replica,
                                                      RaftTransport* transport,
                                                      const StateMachine* state,
                                                      const Clock* clock);
  // Stops the Raft thread; waiting callers get kUnavailable.
  ~ReplicatedLog() override;
  ReplicatedLog(const ReplicatedLog&) = delete;
  ReplicatedLog& operator=(const ReplicatedLog&) = delete;

  using CommandLog::Propose;
  Result<ApplyResult> Propose(RequestOrigin origin, MetaCommand command) override;
  Status ReadBarrier() override;
  Result<LeaderTenure> CheckLeader() const override;
  int64_t AppliedIndex() const override;
  // Committed entries are on stable storage in a quorum of Raft logs before anyone sees them,
  // so there is nothing left to flush.
  Status SyncApplied() override { return Status::Ok(); }

  void Deliver(std::vector<raft::Message> messages,
               std::map<raft::NodeId, HostPort> sender_addresses) override;
  Status AddMaster(raft::Member member) override;
  Status RemoveMaster(raft::NodeId id) override;
  Status TransferLeadership(raft::NodeId target) override;
  GroupView View() const override;
  // The core stopped for good (a storage failure): the daemon must exit.
  bool Stopped() const;

 private:
  using Clocktime = std::chrono::steady_clock::time_point;
  using Outcome = Result<ApplyResult>;

  struct Proposal {
    LogCommand entry;
    std::promise<Outcome> done;
  };
  struct ReadRequest {
    std::promise<Status> done;
  };
  // An operator's change, run on the Raft thread; returns the index to wait for (0: none).
  struct AdminRequest {
    std::function<Result<raft::LogIndex>(raft::RaftCore&)> run;
    std::promise<Outcome> done;
  };
  // Raft thread only: a proposer waiting for the entry at some index.
  struct Waiter {
    raft::Term term = 0;
    std::promise<Outcome> done;
  };
  struct Read {
    std::promise<Status> done;
    bool confirmed = false;
    raft::LogIndex read_index = 0;
  };

  ReplicatedLog(ReplicatedLogOptions options, RaftTransport* transport, NamespaceReplica* replica,
                const StateMachine* state, const Clock* clock);

  // ---- Raft thread ----
  void Run();
  void ProposeBatch(std::vector<Proposal>& proposals);
  void StartReads(std::vector<ReadRequest>& reads);
  // A leader that may serve reads: its id cursor started and its first command applied.
  bool LeaderReady() const;
  void StartAdmin(std::vector<AdminRequest>& admin);
  void ReleaseConfirmedReads();
  // Starts a ReadIndex round of its own when the lease runs low.
  void MaybeRenewLease();
  void DropLease();
  int64_t LeaseNanos() const;
  void OnApplied(const raft::LogEntry& entry, const Outcome* outcome);
  // Starts the id cursor once this leader may hand out ids (see the file comment).
  void MaybeStartIdCursor();
  void FailWaiters(const Status& status);
  void UpdatePeers();
  void Publish();
  // raft::RaftListener (called by the core on the Raft thread).
  void OnRoleChanged(raft::Role role, raft::Term term, raft::NodeId leader) override;
  void OnReadIndexReady(uint64_t context, raft::LogIndex read_index) override;
  void OnReadIndexFailed(uint64_t context) override;
  void OnStopped(const Status& status) override;

  // Queues an operator's change for the Raft thread and waits for its entry (if any) to apply.
  Status RunAdmin(std::function<Result<raft::LogIndex>(raft::RaftCore&)> run, const char* what);
  Status NotLeaderStatus() const;
  Clocktime Deadline() const;

  const ReplicatedLogOptions options_;
  RaftTransport* const transport_;
  NamespaceReplica* const replica_;
  const StateMachine* const state_;
  const Clock* const clock_;

  // Raft thread only.
  std::unique_ptr<raft::RaftCore> core_;
  class SeededRandom;
  std::unique_ptr<raft::Random> random_;
  std::map<raft::LogIndex, Waiter> waiters_;
  std::map<uint64_t, Read> reads_;
  uint64_t next_read_context_ = 1;
  uint64_t renewal_context_ = 0;      // the lease-renewal read in flight, 0 when none
  int64_t renewal_started_ns_ = 0;    // monotonic time it was registered
  int64_t no_lease_before_ns_ = 0;    // no lease while an operator's change may hand over
  std::vector<Proposal> deferred_;  // arrived before the id cursor was ready
  std::vector<ReadRequest> deferred_reads_;  // arrived before the leader was ready
  // The leader's first command (if any) sits at this index; reads wait until it is applied.
  raft::LogIndex first_command_index_ = 0;
  IdCursor ids_;
  bool ids_ready_ = false;
  raft::Term last_applied_term_ = 0;
  raft::Role role_ = raft::Role::kFollower;
  raft::Term term_ = 0;
  int64_t leader_since_ns_ = 0;
  // Addresses of senders outside the configuration (a leader adding this master), bounded.
  std::map<raft::NodeId, HostPort> sender_addresses_;
  std::map<raft::NodeId, HostPort> peers_given_;  // what the transport was last given

  mutable std::mutex mu_;  // guards the queues below and stopping_
  std::condition_variable wake_;
  std::vector<raft::Message> inbox_;
  std::map<raft::NodeId, HostPort> inbox_addresses_;
  std::vector<Proposal> proposals_;
  std::vector<ReadRequest> read_requests_;
  std::vector<AdminRequest> admin_requests_;
  bool stopping_ = false;

  // Until when (monotonic ns) reads may be served without a ReadIndex round; written by the
  // Raft thread, read by RPC threads.
  std::atomic<int64_t> lease_until_ns_{0};

  mutable std::mutex status_mu_;  // guards view_
  GroupView view_;

  std::thread raft_thread_;  // last: started once everything above exists
};

}  // namespace tessera::master
