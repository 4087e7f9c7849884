#include "tests/unit/raft/sim_cluster.h"

#include <algorithm>

namespace tessera::raft::sim {
namespace {

class SimRandom final : public Random {
 public:
  explicit SimRandom(uint64_t seed) : rng_(seed) {}
  uint64_t Uniform(uint64_t bound) override { return rng_() % bound; }

 private:
  std::mt19937_64 rng_;
};

void AddCounters(const RaftCounters& from, RaftCounters* to) {
  to->elections_started += from.elections_started;
  to->terms_started += from.terms_started;
  to->leaderships_won += from.leaderships_won;
  to->snapshots_sent += from.snapshots_sent;
  to->snapshots_installed += from.snapshots_installed;
  to->compactions += from.compactions;
  to->appends_rejected += from.appends_rejected;
  to->messages_ignored += from.messages_ignored;
}

// More deliveries than this in one tick means the nodes ping-pong without end.
constexpr int kMaxDeliveriesPerTick = 200000;

}  // namespace

class SimCluster::NodeListener final : public RaftListener {
 public:
  NodeListener(SimCluster* cluster, NodeId id) : cluster_(cluster), id_(id) {}
  void OnRoleChanged(Role role, Term term, NodeId leader) override {
    cluster_->OnRoleChanged(id_, role, term);
  }
  void OnReadIndexReady(uint64_t context, LogIndex read_index) override {
    if (cluster_->observer_.on_read_ready)
      cluster_->observer_.on_read_ready(id_, context, read_index);
  }
  void OnReadIndexFailed(uint64_t context) override {
    if (cluster_->observer_.on_read_failed) cluster_->observer_.on_read_failed(id_, context);
  }
  void OnStopped(const Status& status) override {
    if (status.message().find("injected") == std::string::npos) {
      cluster_->AddViolation("node " + std::to_string(id_) + " stopped: " + status.ToString());
    }
  }

 private:
  SimCluster* cluster_;
  NodeId id_;
};

struct SimCluster::Node {
  NodeId id = kNoNode;
  bool up = false;
  bool retired = false;
  std::unique_ptr<FaultPlan> faults;
  std::unique_ptr<SimStorage> storage;
  KvState durable;
  std::unique_ptr<SimTransport> transport;
  std::unique_ptr<SimRandom> random;
  std::unique_ptr<NodeListener> listener;
  std::unique_ptr<KvStateMachine> state_machine;
  std::unique_ptr<RaftCore> core;
};

SimCluster::SimCluster(uint64_t seed, const RaftConfig& config, int initial_voters)
    : config_(config), rng_(seed), network_(seed * 7919 + 1) {
  network_.set_send_hook([this](const Message& message) { OnSend(message); });
  Membership initial;
  for (int i = 0; i < initial_voters; ++i) {
    NodeId id = next_id_ + i;
    initial.voters.push_back(Member{id, "node-" + std::to_string(id)});
  }
  for (int i = 0; i < initial_voters; ++i) {
    NodeId id = AddNode();
    // Bootstrap writes storage directly; the node restarts to load it.
    Crash(id);
    Status status = RaftCore::Bootstrap(nodes_[id]->storage.get(), initial);
    if (!status.ok()) AddViolation("bootstrap failed: " + status.ToString());
    Restart(id);
  }
}

SimCluster::~SimCluster() = default;

NodeId SimCluster::AddNode() {
  auto node = std::make_unique<Node>();
  node->id = next_id_++;
  node->faults = std::make_unique<FaultPlan>(rng_());
  NodeId id = node->id;
  node->storage = std::make_unique<SimStorage>(
      node->faults.get(), [this, id](const LogEntry& entry) { OnAppend(id, entry); });
  node->transport = std::make_unique<SimTransport>(&network_, &now_);
  node->listener = std::make_unique<NodeListener>(this, id);
  Node& added = *node;
  nodes_[id] = std::move(node);
  StartNode(added);
  return id;
}

void SimCluster::StartNode(Node& node) {
  NodeId id = node.id;
  node.random = std::make_unique<SimRandom>(rng_());
  node.state_machine = std::make_unique<KvStateMachine>(
      &node.durable, node.faults.get(), rng_(),
      [this, id](const LogEntry& entry, const KvState& state) { OnApply(id, entry, state); });
  node.core =
      std::make_unique<RaftCore>(config_, id, node.storage.get(), node.transport.get(),
                                 node.state_machine.get(), node.random.get(), node.listener.get());
  node.up = true;
  (void)node.core->Start();
  if (node.core->stopped()) Crash(id);
}

void SimCluster::Crash(NodeId id) {
  Node& node = *nodes_.at(id);
  if (!node.up) return;
  node.up = false;
  paused_until_.erase(id);
  held_.erase(id);
  ++crashes_;
  AddCounters(node.core->counters(), &retired_counters_);
  node.core.reset();
  node.state_machine.reset();
  if (observer_.on_down) observer_.on_down(id);
}

void SimCluster::Restart(NodeId id) {
  Node& node = *nodes_.at(id);
  if (node.up || node.retired) return;
  StartNode(node);
}

void SimCluster::Retire(NodeId id) {
  Crash(id);
  nodes_.at(id)->retired = true;
}

bool SimCluster::IsUp(NodeId id) const {
  auto it = nodes_.find(id);
  return it != nodes_.end() && it->second->up;
}

bool SimCluster::IsRetired(NodeId id) const {
  auto it = nodes_.find(id);
  return it == nodes_.end() || it->second->retired;
}

RaftCore* SimCluster::core(NodeId id) {
  auto it = nodes_.find(id);
  return it == nodes_.end() || !it->second->up ? nullptr : it->second->core.get();
}

const KvStateMachine* SimCluster::state_machine(NodeId id) const {
  auto it = nodes_.find(id);
  return it == nodes_.end() || !it->second->up ? nullptr : it->second->state_machine.get();
}

const SimStorage& SimCluster::storage(NodeId id) const { return *nodes_.at(id)->storage; }

FaultPlan& SimCluster::faults(NodeId id) { return *nodes_.at(id)->faults; }

std::vector<NodeId> SimCluster::node_ids() const {
  std::vector<NodeId> ids;
  for (const auto& [id, node] : nodes_) {
    if (!node->retired) ids.push_back(id);
  }
  return ids;
}

std::vector<NodeId> SimCluster::up_ids() const {
  std::vector<NodeId> ids;
  for (const auto& [id, node] : nodes_) {
    if (node->up) ids.push_back(id);
  }
  return ids;
}

uint64_t SimCluster::injected_faults() const {
  uint64_t total = 0;
  for (const auto& [id, node] : nodes_) total += node->faults->failures();
  return total;
}

RaftCounters SimCluster::TotalCounters() const {
  RaftCounters total = retired_counters_;
  for (const auto& [id, node] : nodes_) {
    if (node->up) AddCounters(node->core->counters(), &total);
  }
  return total;
}

void SimCluster::Tick() {
  ++now_;
  for (auto it = quick_restart_at_.begin(); it != quick_restart_at_.end();) {
    if (it->second > now_) {
      ++it;
      continue;
    }
    Restart(it->first);
    it = quick_restart_at_.erase(it);
  }
  for (auto& [id, node] : nodes_) {
    if (node->up && !IsPaused(id)) node->core->Tick();
  }
  TakeDownStopped();
  Message message;
  int delivered = 0;
  while (network_.PopDue(now_, &message)) {
    if (++delivered > kMaxDeliveriesPerTick) {
      AddViolation("message storm: more than " + std::to_string(kMaxDeliveriesPerTick) +
                   " deliveries in tick " + std::to_string(now_));
      return;
    }
    auto it = nodes_.find(message.to);
    if (it == nodes_.end() || !it->second->up) continue;
    if (IsPaused(message.to)) {
      held_[message.to].push_back(std::move(message));
      continue;
    }
    ++event_;
    it->second->core->Step(message);
    TakeDownStopped();
  }
  TakeDownStopped();
  // Resume at the end of the tick, so that the workload gets to talk to a resumed node before
  // the messages that piled up for it arrive.
  for (auto it = paused_until_.begin(); it != paused_until_.end();) {
    if (it->second > now_) {
      ++it;
      continue;
    }
    for (Message& held : held_[it->first]) network_.Requeue(std::move(held), now_ + 1);
    held_.erase(it->first);
    it = paused_until_.erase(it);
  }
}

void SimCluster::Pause(NodeId id, uint64_t until) {
  if (IsUp(id)) paused_until_[id] = until;
}

void SimCluster::TakeDownStopped() {
  for (auto& [id, node] : nodes_) {
    if (node->up && node->core->stopped()) Crash(id);
  }
  for (NodeId id : crash_after_reply_) {
    if (IsUp(id)) {
      Crash(id);
      quick_restart_at_[id] = now_ + rng_() % 3;
    }
  }
  crash_after_reply_.clear();
}

void SimCluster::OnSend(const Message& message) {
  bool acknowledgement = (message.type == MessageType::kVoteReply && !message.reject) ||
                         (message.type == MessageType::kAppendReply && !message.reject);
  if (acknowledgement && crash_after_reply_rate_ > 0 &&
      std::uniform_real_distribution<double>(0, 1)(rng_) < crash_after_reply_rate_) {
    crash_after_reply_.push_back(message.from);
  }
}

NodeId SimCluster::Leader() const {
  NodeId leader = kNoNode;
  Term best = 0;
  for (const auto& [id, node] : nodes_) {
    if (node->up && node->core->role() == Role::kLeader && node->core->term() >= best) {
      leader = id;
      best = node->core->term();
    }
  }
  return leader;
}

void SimCluster::AddViolation(std::string what) {
  violations_.push_back("tick " + std::to_string(now_) + ": " + std::move(what));
}

void SimCluster::OnRoleChanged(NodeId id, Role role, Term term) {
  if (role != Role::kLeader) return;
  auto [it, inserted] = leaders_.emplace(term, id);
  if (!inserted && it->second != id) {
    AddViolation("election safety: nodes " + std::to_string(it->second) + " and " +
                 std::to_string(id) + " both lead term " + std::to_string(term));
  }
  CheckLeaderCompleteness(id);
}

void SimCluster::CheckLeaderCompleteness(NodeId id) {
  const SimStorage& log = storage(id);
  Term leader_term = log.state().hard_state.term;
  for (auto it = committed_.lower_bound(log.snapshot_index()); it != committed_.end(); ++it) {
    if (it->second.commit_term >= leader_term) continue;  // not an earlier term's commitment
    if (log.TermAt(it->first) != it->second.term) {
      AddViolation("leader completeness: new leader " + std::to_string(id) + " of term " +
                   std::to_string(leader_term) + " lacks entry " + std::to_string(it->first) +
                   " of term " + std::to_string(it->second.term) + " committed in term " +
                   std::to_string(it->second.commit_term));
      return;
    }
  }
}

void SimCluster::OnAppend(NodeId id, const LogEntry& entry) {
  auto [it, inserted] = entries_.emplace(std::make_pair(entry.index, entry.term), entry.data);
  if (!inserted && it->second != entry.data) {
    AddViolation("log matching: two different entries at index " + std::to_string(entry.index) +
                 " term " + std::to_string(entry.term) + " (node " + std::to_string(id) + ")");
  }
}

void SimCluster::OnApply(NodeId id, const LogEntry& entry, const KvState& state) {
  Term applier_term = nodes_.at(id)->core->term();
  auto [it, inserted] =
      committed_.emplace(entry.index, CommittedEntry{entry.term, entry.data, applier_term});
  if (!inserted && (it->second.term != entry.term || it->second.data != entry.data)) {
    AddViolation("state machine safety: node " + std::to_string(id) + " applied term " +
                 std::to_string(entry.term) + " at index " + std::to_string(entry.index) +
                 " where term " + std::to_string(it->second.term) + " was applied");
  }
  it->second.commit_term = std::min(it->second.commit_term, applier_term);
  if (observer_.on_apply) observer_.on_apply(id, entry, state);
}

void SimCluster::CheckLogMatching() {
  std::vector<NodeId> ids = node_ids();
  for (size_t a = 0; a < ids.size(); ++a) {
    for (size_t b = a + 1; b < ids.size(); ++b) {
      const SimStorage& x = storage(ids[a]);
      const SimStorage& y = storage(ids[b]);
      LogIndex low = std::max(x.snapshot_index(), y.snapshot_index()) + 1;
      LogIndex high = std::min(x.last_index(), y.last_index());
      LogIndex agree = 0;
      for (LogIndex i = high; i >= low && i > 0; --i) {
        if (x.TermAt(i) == y.TermAt(i)) {
          agree = i;
          break;
        }
      }
      for (LogIndex i = low; i < agree; ++i) {
        if (x.TermAt(i) != y.TermAt(i)) {
          AddViolation("log matching: nodes " + std::to_string(ids[a]) + " and " +
                       std::to_string(ids[b]) + " agree at " + std::to_string(agree) +
                       " but differ at " + std::to_string(i));
          return;
        }
      }
    }
  }
}

void SimCluster::CheckStateMachinesAgree() {
  std::map<LogIndex, std::pair<NodeId, const KvState*>> seen;
  for (const auto& [id, node] : nodes_) {
    if (!node->up) continue;
    const KvState& state = node->state_machine->state();
    auto [it, inserted] = seen.emplace(state.applied, std::make_pair(id, &state));
    if (!inserted && it->second.second->values != state.values) {
      AddViolation("state machines of nodes " + std::to_string(it->second.first) + " and " +
                   std::to_string(id) + " differ at applied index " +
                   std::to_string(state.applied));
    }
  }
}

}  // namespace tessera::raft::sim
