#include "tests/unit/raft/random_simulation.h"

#include <iostream>
#include <limits>
#include <map>
#include <optional>
#include <random>

#include "tests/unit/raft/linearizability_checker.h"
#include "tests/unit/raft/sim_cluster.h"

namespace tessera::raft::sim {
namespace {

constexpr int kClients = 3;
constexpr int kKeys = 8;
constexpr uint64_t kClientTimeoutTicks = 60;
constexpr int kMinVoters = 3;
constexpr int kMaxVoters = 5;
// A removed node stays up this long after its removal committed (it must not disturb anyone).
constexpr uint64_t kRetireAfterTicks = 40;

struct Client {
  bool busy = false;
  size_t op = 0;  // index into the history
  NodeId node = kNoNode;
  uint64_t deadline = 0;
  // put
  LogIndex index = 0;
  Term term = 0;
  // get
  uint64_t context = 0;
  bool read_ready = false;
  LogIndex read_index = 0;
};

enum class OpFate { kPending, kDone, kUnknown, kDropped };

// A membership change whose entry the simulation watches: once committed, a removed node is
// retired after a while; an add whose entry was lost retires the fresh node.
struct WatchedChange {
  NodeId node = kNoNode;
  bool removal = false;
  LogIndex index = 0;
  Term term = 0;
  uint64_t retire_at = 0;  // 0 = not yet committed
};

class Simulation {
 public:
  explicit Simulation(const SimulationOptions& options)
      : options_(options), rng_(options.seed), cluster_(options.seed, MakeConfig(), kMinVoters) {
    NetworkFaults faults;
    faults.loss = std::vector<double>{0, 0.02, 0.1, 0.2}[rng_() % 4];
    faults.duplicate = (rng_() % 2) != 0 ? 0.03 : 0;
    faults.max_delay = 1 + rng_() % 5;
    network_faults_ = faults;
    cluster_.network().set_faults(faults);
    io_failure_rate_ = std::vector<double>{0, 0.002, 0.01}[rng_() % 3];
    crash_rate_ = std::vector<double>{0.001, 0.004, 0.015}[rng_() % 3];
    cluster_.set_crash_after_reply_rate(std::vector<double>{0, 0.005, 0.02}[rng_() % 3]);
    pause_rate_ = std::vector<double>{0, 0.005, 0.02}[rng_() % 3];
    leader_kill_rate_ = std::vector<double>{0.1, 0.4, 0.8}[rng_() % 3];
    for (NodeId id : cluster_.node_ids()) cluster_.faults(id).set_failure_rate(io_failure_rate_);
    Trace("config: loss " + std::to_string(faults.loss) + " dup " +
          std::to_string(faults.duplicate) + " delay " + std::to_string(faults.max_delay) +
          " io faults " + std::to_string(io_failure_rate_) + " crashes " +
          std::to_string(crash_rate_) + " leader kills " + std::to_string(leader_kill_rate_));
    cluster_.set_observer(ClusterObserver{
        .on_apply = [this](NodeId id, const LogEntry& entry,
                           const KvState& state) { OnApply(id, entry); },
        .on_read_ready = [this](NodeId id, uint64_t context,
                                LogIndex index) { OnReadReady(id, context, index); },
        .on_read_failed = [this](NodeId id, uint64_t context) { OnReadGone(context); },
        .on_down = [this](NodeId id) { OnDown(id); },
    });
  }

  SimulationResult Run() {
    for (int tick = 0; tick < options_.chaos_ticks && cluster_.violations().empty(); ++tick) {
      cluster_.Tick();
      CompleteReads();
      InjectFaults();
      ChangeMembership();
      WatchChanges();
      StartClientOps();
      ExpireClients();
      if (cluster_.now() % 20 == 0) {
        cluster_.CheckLogMatching();
        cluster_.CheckStateMachinesAgree();
      }
    }
    if (cluster_.violations().empty()) Heal();
    return Finish();
  }

 private:
  RaftConfig MakeConfig() {
    RaftConfig config;
    config.election_timeout_ticks = 10;
    config.heartbeat_ticks = 2;
    config.max_append_entries = std::vector<uint64_t>{1, 1, 2, 8, 64}[rng_() % 5];
    config.max_append_bytes = 64 + rng_() % 512;
    config.max_inflight_appends = 1 + static_cast<int>(rng_() % 4);
    config.snapshot_chunk_bytes = 8 + rng_() % 64;
    config.compaction_threshold_entries = 8 + rng_() % 40;
    return config;
  }

  void Trace(const std::string& what) {
    if (options_.verbose) std::cerr << "sim tick " << cluster_.now() << ": " << what << "\n";
  }
  bool Chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }

  // ---- faults ----
  void InjectFaults() {
    for (NodeId id : cluster_.up_ids()) {
      if (Chance(crash_rate_)) {
        Trace("crash node " + std::to_string(id));
        cluster_.Crash(id);
      }
    }
    if (Chance(pause_rate_) && !cluster_.up_ids().empty()) {
      std::vector<NodeId> up = cluster_.up_ids();
      NodeId leader = cluster_.Leader();
      NodeId victim = leader != kNoNode && Chance(0.5) ? leader : up[rng_() % up.size()];
      uint64_t until = cluster_.now() + 5 + rng_() % 50;
      cluster_.Pause(victim, until);
      Trace("pause node " + std::to_string(victim) + " until tick " + std::to_string(until));
    }
    // Short-lived leaders leave diverging logs behind: the ground where commitment and
    // election rules are tested hardest (thesis figure 3.7).
    NodeId leader = cluster_.Leader();
    if (leader != kNoNode && cluster_.core(leader)->term() != last_leader_term_) {
      last_leader_term_ = cluster_.core(leader)->term();
      if (Chance(leader_kill_rate_)) {
        leader_kill_at_ = cluster_.now() + rng_() % 4;
        leader_to_kill_ = leader;
      } else if (partition_until_ == 0 && Chance(leader_kill_rate_)) {
        // Cut off at once: what it sent in this tick is lost too, unlike after a crash.
        std::map<NodeId, int> groups;
        for (NodeId id : cluster_.node_ids()) groups[id] = id == leader ? 1 : 0;
        cluster_.network().SetPartition(groups);
        partition_until_ = cluster_.now() + 5 + rng_() % 40;
        Trace("isolate new leader " + std::to_string(leader));
      }
    }
    if (leader_to_kill_ != kNoNode && cluster_.now() >= leader_kill_at_) {
      Trace("crash new leader " + std::to_string(leader_to_kill_));
      cluster_.Crash(leader_to_kill_);
      leader_to_kill_ = kNoNode;
    }
    for (NodeId id : cluster_.node_ids()) {
      if (!cluster_.IsUp(id) && restart_at_.count(id) == 0) {
        // Some restarts are quick, so that a node is back while its peers still act on what
        // it said before the crash.
        restart_at_[id] = cluster_.now() + (Chance(0.5) ? rng_() % 3 : 5 + rng_() % 50);
      }
    }
    for (auto it = restart_at_.begin(); it != restart_at_.end();) {
      if (it->second <= cluster_.now()) {
        if (!cluster_.IsRetired(it->first)) {
          Trace("restart node " + std::to_string(it->first));
          cluster_.Restart(it->first);
        }
        it = restart_at_.erase(it);
      } else {
        ++it;
      }
    }
    if (partition_until_ != 0 && cluster_.now() >= partition_until_) {
      Trace("partition healed");
      cluster_.network().Heal();
      partition_until_ = 0;
    } else if (partition_until_ == 0 && Chance(0.004)) {
      // A one-way link failure: the receiver stops hearing the sender, not the other way round.
      std::vector<NodeId> ids = cluster_.node_ids();
      NodeId from = ids[rng_() % ids.size()];
      NodeId to = ids[rng_() % ids.size()];
      cluster_.network().Block(from, to);
      partition_until_ = cluster_.now() + 10 + rng_() % 80;
      Trace("block messages from " + std::to_string(from) + " to " + std::to_string(to));
    } else if (partition_until_ == 0 && Chance(0.01)) {
      std::map<NodeId, int> groups;
      std::vector<NodeId> ids = cluster_.node_ids();
      NodeId lonely = ids[rng_() % ids.size()];
      bool isolate_one = Chance(0.5);
      std::string description;
      for (NodeId id : ids) {
        groups[id] = isolate_one ? (id == lonely ? 1 : 0) : static_cast<int>(rng_() % 2);
        description += " " + std::to_string(id) + ":" + std::to_string(groups[id]);
      }
      cluster_.network().SetPartition(groups);
      partition_until_ = cluster_.now() + 10 + rng_() % 80;
      Trace("partition" + description);
    }
  }

  // ---- membership and transfers ----
  void ChangeMembership() {
    NodeId leader = cluster_.Leader();
    if (leader == kNoNode || cluster_.IsPaused(leader)) return;
    RaftCore* core = cluster_.core(leader);
    if (Chance(0.01)) {
      NodeId target = kNoNode;
      const auto& voters = core->membership().voters;
      if (Chance(0.5) && !voters.empty()) target = voters[rng_() % voters.size()].id;
      Status status = core->TransferLeadership(target);
      Trace("transfer leadership from " + std::to_string(leader) + " to " + std::to_string(target) +
            ": " + status.ToString());
      if (status.ok()) ++transfers_;
      return;
    }
    if (!Chance(0.02)) return;
    Membership membership = core->membership();
    int voters = static_cast<int>(membership.voters.size());
    if (!membership.learners.empty()) return;  // a promotion is on its way
    bool add = voters < kMaxVoters && (voters <= kMinVoters || Chance(0.5));
    if (add) {
      NodeId fresh = cluster_.AddNode();
      cluster_.faults(fresh).set_failure_rate(io_failure_rate_);
      core = cluster_.core(leader);
      Result<LogIndex> index =
          core == nullptr ? Result<LogIndex>(Status::Unavailable("leader down"))
                          : core->AddServer(Member{fresh, "node-" + std::to_string(fresh)});
      Trace("add node " + std::to_string(fresh) + ": " + index.status().ToString());
      if (!index.ok()) {
        cluster_.Retire(fresh);
        return;
      }
      ++membership_changes_;
      watched_.push_back(WatchedChange{.node = fresh, .index = *index, .term = core->term()});
    } else if (voters > kMinVoters) {
      NodeId victim = membership.voters[rng_() % membership.voters.size()].id;
      Result<LogIndex> index = core->RemoveServer(victim);
      Trace("remove node " + std::to_string(victim) + " (leader " + std::to_string(leader) +
            "): " + index.status().ToString());
      if (!index.ok()) return;
      ++membership_changes_;
      watched_.push_back(
          WatchedChange{.node = victim, .removal = true, .index = *index, .term = core->term()});
    }
  }

  void WatchChanges() {
    const auto& committed = cluster_.committed();
    for (auto it = watched_.begin(); it != watched_.end();) {
      WatchedChange& change = *it;
      auto entry = committed.find(change.index);
      bool decided = entry != committed.end();
      bool took_effect = decided && entry->second.term == change.term;
      if (decided && change.retire_at == 0) {
        // A committed removal retires its node later; a lost add retires the fresh node now.
        bool retire = change.removal ? took_effect : !took_effect;
        if (!retire) {
          it = watched_.erase(it);
          continue;
        }
        change.retire_at = cluster_.now() + (change.removal ? kRetireAfterTicks : 0);
      }
      if (change.retire_at != 0 && cluster_.now() >= change.retire_at) {
        Trace("retire node " + std::to_string(change.node));
        cluster_.Retire(change.node);
        it = watched_.erase(it);
        continue;
      }
      ++it;
    }
  }

  // ---- clients ----
  void StartClientOps() {
    for (int c = 0; c < kClients; ++c) {
      Client& client = clients_[c];
      if (client.busy || !Chance(0.3)) continue;
      NodeId leader = ChooseLeader(c);
      if (leader == kNoNode) continue;
      RaftCore* core = cluster_.core(leader);
      std::string key = "k" + std::to_string(rng_() % kKeys);
      bool put = Chance(0.6);
      // Registered before the call: a read may be confirmed inside ReadIndex itself.
      client = Client{.busy = true,
                      .op = history_.size(),
                      .node = leader,
                      .deadline = cluster_.now() + kClientTimeoutTicks};
      history_.push_back(KvOperation{.key = key,
                                     .is_put = put,
                                     .value = put ? "v" + std::to_string(++values_) : "",
                                     .invoked = cluster_.NextEvent()});
      fates_.push_back(OpFate::kPending);
      notes_.push_back("node " + std::to_string(leader) + " term " + std::to_string(core->term()));
      Status status;
      if (put) {
        Result<LogIndex> index = core->Propose({EncodePut(key, history_.back().value)});
        client.index = index.ok() ? *index : 0;
        client.term = core->term();
        notes_.back() += " index " + std::to_string(client.index);
        status = index.status();
      } else {
        client.context = ++contexts_;
        status = core->ReadIndex(client.context);
      }
      if (core->stopped()) {
        // It may have made a proposal durable before stopping: the outcome is unknown.
        GiveUp(client);
      } else if (!status.ok()) {
        client.busy = false;  // refused: no effect
        fates_[client.op] = OpFate::kDropped;
      }
      // A single-voter read may be ready at once.
      CompleteReads();
    }
  }

  // Like a real client, keep using the node that last acted as leader while it still thinks it
  // leads (it may be a deposed leader that has not noticed yet); otherwise pick any other node
  // that thinks it leads.
  NodeId ChooseLeader(int c) {
    NodeId cached = clients_[c].node;
    RaftCore* core = cached == kNoNode ? nullptr : cluster_.core(cached);
    if (core != nullptr && core->role() == Role::kLeader) {
      if (!cluster_.IsPaused(cached)) {
        waited_[c] = 0;
        return cached;
      }
      // A paused server keeps its clients waiting until their patience runs out: the first
      // client waits for ever, so that it talks to the server as soon as it resumes.
      int patience = c == 0 ? std::numeric_limits<int>::max() : 4 * c;
      if (waited_[c]++ < patience) return kNoNode;
    }
    waited_[c] = 0;
    std::vector<NodeId> leaders;
    for (NodeId id : cluster_.up_ids()) {
      if (cluster_.core(id)->role() == Role::kLeader && !cluster_.IsPaused(id) && id != cached) {
        leaders.push_back(id);
      }
    }
    return leaders.empty() ? kNoNode : leaders[rng_() % leaders.size()];
  }

  void OnApply(NodeId id, const LogEntry& entry) {
    for (Client& client : clients_) {
      if (!client.busy || !history_[client.op].is_put || client.node != id ||
          client.index != entry.index) {
        continue;
      }
      client.busy = false;
      if (entry.term == client.term) {
        history_[client.op].responded = cluster_.NextEvent();
        fates_[client.op] = OpFate::kDone;
        ++puts_acknowledged_;
      } else {
        fates_[client.op] = OpFate::kDropped;  // (index, term) can never commit now
      }
    }
  }

  void OnReadReady(NodeId id, uint64_t context, LogIndex index) {
    for (Client& client : clients_) {
      if (client.busy && client.context == context && client.node == id) {
        client.read_ready = true;
        client.read_index = index;
      }
    }
  }

  void OnReadGone(uint64_t context) {
    for (Client& client : clients_) {
      if (client.busy && client.context == context) GiveUp(client);
    }
  }

  void OnDown(NodeId id) {
    for (Client& client : clients_) {
      if (client.busy && client.node == id) GiveUp(client);
    }
  }

  void GiveUp(Client& client) {
    client.busy = false;
    // A put may still commit: decided at the end from what was applied. A get without an
    // answer constrains nothing.
    fates_[client.op] = history_[client.op].is_put ? OpFate::kUnknown : OpFate::kDropped;
  }

  void CompleteReads() {
    for (Client& client : clients_) {
      if (!client.busy || !client.read_ready) continue;
      const KvStateMachine* machine = cluster_.state_machine(client.node);
      if (machine == nullptr || machine->state().applied < client.read_index) continue;
      KvOperation& op = history_[client.op];
      auto it = machine->state().values.find(op.key);
      op.value = it == machine->state().values.end() ? "" : it->second;
      notes_[client.op] += " read index " + std::to_string(client.read_index) + " applied " +
                           std::to_string(machine->state().applied);
      op.responded = cluster_.NextEvent();
      fates_[client.op] = OpFate::kDone;
      client.busy = false;
      ++gets_answered_;
    }
  }

  void ExpireClients() {
    for (Client& client : clients_) {
      if (client.busy && cluster_.now() >= client.deadline) GiveUp(client);
    }
  }

  // ---- healing and the final checks ----
  void Heal() {
    Trace("heal: no more faults");
    cluster_.network().Heal();
    cluster_.network().set_faults(NetworkFaults{});
    cluster_.set_crash_after_reply_rate(0);
    for (NodeId id : cluster_.node_ids()) {
      cluster_.faults(id).set_failure_rate(0);
      if (!cluster_.IsUp(id)) cluster_.Restart(id);
    }
    restart_at_.clear();
    std::optional<std::pair<NodeId, LogIndex>> probe;
    Term probe_term = 0;
    for (int tick = 0; tick < options_.liveness_ticks; ++tick) {
      cluster_.Tick();
      // A node may have stopped inside a client call just before healing.
      for (NodeId id : cluster_.node_ids()) cluster_.Restart(id);
      CompleteReads();
      ExpireClients();
      WatchChanges();
      if (!cluster_.violations().empty()) return;
      if (options_.verbose && tick % 25 == 0) TraceNodes();
      NodeId leader = cluster_.Leader();
      if (leader == kNoNode) continue;
      RaftCore* core = cluster_.core(leader);
      if (!probe || probe->first != leader || probe_term != core->term()) {
        Result<LogIndex> index = core->Propose({EncodePut("liveness", "probe")});
        if (index.ok()) {
          probe = std::make_pair(leader, *index);
          probe_term = core->term();
        }
        continue;
      }
      if (AppliedEverywhere(core->membership(), probe->second, probe_term)) {
        Trace("live again after " + std::to_string(tick) + " ticks");
        return;
      }
    }
    cluster_.AddViolation("liveness: no entry committed on every voter within " +
                          std::to_string(options_.liveness_ticks) + " ticks after healing");
  }

  void TraceNodes() {
    for (NodeId id : cluster_.node_ids()) {
      RaftCore* core = cluster_.core(id);
      if (core == nullptr) {
        Trace("node " + std::to_string(id) + " down");
        continue;
      }
      std::string peers;
      for (const PeerStatus& peer : core->Peers()) {
        peers += " " + std::to_string(peer.member.id) + ":" + std::to_string(peer.match_index) +
                 "/" + std::to_string(peer.next_index) + std::string(ProgressModeName(peer.mode));
      }
      Trace("node " + std::to_string(id) + " " + std::string(RoleName(core->role())) + " term " +
            std::to_string(core->term()) + " commit " + std::to_string(core->commit_index()) +
            " log (" + std::to_string(core->snapshot_index()) + ", " +
            std::to_string(core->last_index()) + "] applied " +
            std::to_string(core->applied_index()) + " voters " +
            std::to_string(core->membership().voters.size()) + peers);
    }
  }

  bool AppliedEverywhere(const Membership& membership, LogIndex index, Term term) {
    auto entry = cluster_.committed().find(index);
    if (entry == cluster_.committed().end() || entry->second.term != term) return false;
    for (const Member& voter : membership.voters) {
      const KvStateMachine* machine = cluster_.state_machine(voter.id);
      if (machine == nullptr || machine->state().applied < index) return false;
    }
    return true;
  }

  SimulationResult Finish() {
    SimulationResult result;
    cluster_.CheckLogMatching();
    cluster_.CheckStateMachinesAgree();
    std::vector<KvOperation> checked;
    for (size_t i = 0; i < history_.size(); ++i) {
      if (fates_[i] == OpFate::kDone) {
        checked.push_back(history_[i]);
      } else if (fates_[i] == OpFate::kUnknown || fates_[i] == OpFate::kPending) {
        if (history_[i].is_put && PutTookEffect(history_[i])) {
          KvOperation op = history_[i];
          op.responded = KvOperation::kNever;
          checked.push_back(op);
        }
      }
    }
    if (cluster_.violations().empty()) {
      std::string verdict = CheckLinearizable(checked);
      if (!verdict.empty()) {
        cluster_.AddViolation("linearizability: " + verdict);
        if (options_.verbose) {
          for (size_t i = 0; i < history_.size(); ++i) {
            const KvOperation& op = history_[i];
            Trace(op.key + (op.is_put ? " put " : " get ") + op.value + " [" +
                  std::to_string(op.invoked) + ", " +
                  (op.responded == KvOperation::kNever ? "-" : std::to_string(op.responded)) +
                  "] fate " + std::to_string(static_cast<int>(fates_[i])) + " " + notes_[i]);
          }
        }
      }
    }
    result.failures = cluster_.violations();
    RaftCounters counters = cluster_.TotalCounters();
    result.stats = SimulationStats{
        .ticks = cluster_.now(),
        .messages = cluster_.network().sent(),
        .leaders_elected = counters.leaderships_won,
        .snapshots_installed = counters.snapshots_installed,
        .compactions = counters.compactions,
        .crashes = cluster_.crashes(),
        .injected_faults = cluster_.injected_faults(),
        .membership_changes = membership_changes_,
        .transfers = transfers_,
        .puts_acknowledged = puts_acknowledged_,
        .gets_answered = gets_answered_,
        .operations_checked = checked.size(),
    };
    return result;
  }

  bool PutTookEffect(const KvOperation& op) {
    std::string data = EncodePut(op.key, op.value);
    for (const auto& [index, entry] : cluster_.committed()) {
      if (entry.data == data) return true;
    }
    return false;
  }

  SimulationOptions options_;
  std::mt19937_64 rng_;
  SimCluster cluster_;
  NetworkFaults network_faults_;
  double io_failure_rate_ = 0;
  double crash_rate_ = 0;        // per node and tick
  double pause_rate_ = 0;        // per tick
  double leader_kill_rate_ = 0;  // chance that a new leader crashes within a few ticks
  Term last_leader_term_ = 0;
  NodeId leader_to_kill_ = kNoNode;
  uint64_t leader_kill_at_ = 0;
  std::map<NodeId, uint64_t> restart_at_;
  uint64_t partition_until_ = 0;
  std::vector<WatchedChange> watched_;
  Client clients_[kClients];
  int waited_[kClients] = {};  // op starts a client spent waiting for a paused leader
  std::vector<KvOperation> history_;
  std::vector<OpFate> fates_;
  std::vector<std::string> notes_;  // where each operation ran, for narration
  uint64_t values_ = 0;
  uint64_t contexts_ = 0;
  uint64_t membership_changes_ = 0;
  uint64_t transfers_ = 0;
  uint64_t puts_acknowledged_ = 0;
  uint64_t gets_answered_ = 0;
};

}  // namespace

SimulationStats& SimulationStats::operator+=(const SimulationStats& other) {
  ticks += other.ticks;
  messages += other.messages;
  leaders_elected += other.leaders_elected;
  snapshots_installed += other.snapshots_installed;
  compactions += other.compactions;
  crashes += other.crashes;
  injected_faults += other.injected_faults;
  membership_changes += other.membership_changes;
  transfers += other.transfers;
  puts_acknowledged += other.puts_acknowledged;
  gets_answered += other.gets_answered;
  operations_checked += other.operations_checked;
  return *this;
}

SimulationResult RunRandomSimulation(const SimulationOptions& options) {
  return Simulation(options).Run();
}

}  // namespace tessera::raft::sim
