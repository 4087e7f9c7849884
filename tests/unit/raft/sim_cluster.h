// A whole Raft group in one thread: real RaftCores over SimNetwork, SimStorage and
// KvStateMachine, driven tick by tick from one seed, with the safety invariants checked as the
// run goes (election safety, log matching, leader completeness, state machine safety).
//
// A node whose core stops (an injected I/O fault, or a crash the test asks for) loses its
// RaftCore and volatile state machine; its SimStorage and durable KvState stay for the restart.
// Not thread-safe; one SimCluster per thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "master/raft/raft_core.h"
#include "tests/unit/raft/kv_state_machine.h"
#include "tests/unit/raft/sim_network.h"
#include "tests/unit/raft/sim_storage.h"

namespace tessera::raft::sim {

// An entry some node applied, so committed.
struct CommittedEntry {
  Term term = 0;
  std::string data;
  // The lowest term of a node seen applying it: the term of the leader that committed it, whose
  // successors must all hold it.
  Term commit_term = 0;
};

// What the workload hears from the nodes.
struct ClusterObserver {
  std::function<void(NodeId, const LogEntry&, const KvState&)> on_apply;
  std::function<void(NodeId, uint64_t context, LogIndex index)> on_read_ready;
  std::function<void(NodeId, uint64_t context)> on_read_failed;
  std::function<void(NodeId)> on_down;  // the node crashed or stopped
};

class SimCluster {
 public:
  // Bootstraps `initial_voters` nodes (ids 1..n) and starts them.
  SimCluster(uint64_t seed, const RaftConfig& config, int initial_voters);
  ~SimCluster();

  void set_observer(ClusterObserver observer) { observer_ = std::move(observer); }
  // Probability that a node crashes right after it sent a granted vote or an accepted Append:
  // the moment a persistence bug would show (it answered, then forgot). It restarts within a
  // few ticks.
  void set_crash_after_reply_rate(double rate) { crash_after_reply_rate_ = rate; }

  // A fresh node with empty storage (not bootstrapped), started; it waits to be added.
  NodeId AddNode();
  void Crash(NodeId id);
  // REQUIRES: the node is down and not retired.
  void Restart(NodeId id);
  // Down for good (removed from the group).
  void Retire(NodeId id);

  // The node stops taking ticks and messages until tick `until` (a process stopped by SIGSTOP
  // or a long pause): it comes back believing what it believed before. Messages for it wait.
  void Pause(NodeId id, uint64_t until);
  bool IsPaused(NodeId id) const { return paused_until_.count(id) > 0; }

  bool IsUp(NodeId id) const;
  bool IsRetired(NodeId id) const;
  // nullptr when the node is down.
  RaftCore* core(NodeId id);
  const KvStateMachine* state_machine(NodeId id) const;
  const SimStorage& storage(NodeId id) const;
  FaultPlan& faults(NodeId id);
  SimNetwork& network() { return network_; }
  std::vector<NodeId> node_ids() const;  // every node not retired
  std::vector<NodeId> up_ids() const;

  // One tick: every up node ticks, then due messages are delivered (including replies due in
  // this same tick), then nodes that stopped are taken down.
  void Tick();
  uint64_t now() const { return now_; }
  // Increments on every message delivery and on each call the workload reports; a fine clock
  // for the linearizability history.
  uint64_t NextEvent() { return ++event_; }

  // The up node that leads the highest term, or kNoNode.
  NodeId Leader() const;

  // Pairwise log matching over every node's durable log.
  void CheckLogMatching();
  // Nodes at the same applied index hold the same key-value state.
  void CheckStateMachinesAgree();
  void AddViolation(std::string what);
  const std::vector<std::string>& violations() const { return violations_; }
  // The entry committed at each index, as seen by every apply so far.
  const std::map<LogIndex, CommittedEntry>& committed() const { return committed_; }
  uint64_t injected_faults() const;
  // Counters of every core this cluster ran, crashed ones included.
  RaftCounters TotalCounters() const;
  uint64_t crashes() const { return crashes_; }

 private:
  struct Node;
  class NodeListener;

  void StartNode(Node& node);
  void OnRoleChanged(NodeId id, Role role, Term term);
  void OnAppend(NodeId id, const LogEntry& entry);
  void OnApply(NodeId id, const LogEntry& entry, const KvState& state);
  void CheckLeaderCompleteness(NodeId id);
  void TakeDownStopped();
  void OnSend(const Message& message);

  RaftConfig config_;
  std::mt19937_64 rng_;
  SimNetwork network_;
  uint64_t now_ = 0;
  uint64_t event_ = 0;
  std::map<NodeId, std::unique_ptr<Node>> nodes_;
  NodeId next_id_ = 1;
  ClusterObserver observer_;

  std::map<Term, NodeId> leaders_;
  std::map<std::pair<LogIndex, Term>, std::string> entries_;
  std::map<LogIndex, CommittedEntry> committed_;
  std::vector<std::string> violations_;
  RaftCounters retired_counters_;  // of cores that crashed
  uint64_t crashes_ = 0;
  double crash_after_reply_rate_ = 0;
  std::vector<NodeId> crash_after_reply_;        // chosen by the send hook, crashed after the call
  std::map<NodeId, uint64_t> quick_restart_at_;  // when those come back
  std::map<NodeId, uint64_t> paused_until_;
  std::map<NodeId, std::vector<Message>> held_;  // messages for paused nodes
};

}  // namespace tessera::raft::sim
