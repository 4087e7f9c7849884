// Named scenarios of the Raft core, each scripted on a SimCluster without random faults: the
// situations the thesis singles out, checked one at a time so that a failure says which rule
// broke. The cluster's invariant checks run underneath every scenario.
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tests/unit/raft/sim_cluster.h"

namespace tessera::raft::sim {
namespace {

RaftConfig ScenarioConfig() {
  RaftConfig config;
  config.election_timeout_ticks = 10;
  config.heartbeat_ticks = 2;
  config.max_append_entries = 1;  // one entry per Append: the windows the rules guard are wide
  config.max_inflight_appends = 4;
  config.snapshot_chunk_bytes = 16;
  config.compaction_threshold_entries = 1000;
  return config;
}

class RaftScenarioTest : public ::testing::Test {
 protected:
  void Start(int voters, RaftConfig config = ScenarioConfig()) {
    cluster_ = std::make_unique<SimCluster>(/*seed=*/42, config, voters);
    // One tick of delay: a message sent in tick k lands in tick k + 1, so a test can cut a
    // node off between sending and delivery.
    cluster_->network().set_faults(NetworkFaults{.max_delay = 1});
    cluster_->set_observer(ClusterObserver{
        .on_apply = nullptr,
        .on_read_ready = [this](NodeId, uint64_t context,
                                LogIndex index) { reads_ready_.push_back(context); },
        .on_read_failed = [this](NodeId, uint64_t context) { reads_failed_.push_back(context); },
        .on_down = nullptr,
    });
  }

  // Three voters, a leader, and its noop applied everywhere. kNoNode when no leader emerged.
  NodeId StartWithLeader(RaftConfig config = ScenarioConfig()) {
    Start(3, config);
    NodeId leader = WaitForLeader();
    if (leader == kNoNode) return kNoNode;
    LogIndex noop = cluster_->core(leader)->last_index();
    TickUntil([&] { return AppliedEverywhere(noop); }, 20);
    return leader;
  }

  void TearDown() override {
    if (cluster_ == nullptr) return;
    cluster_->CheckLogMatching();
    cluster_->CheckStateMachinesAgree();
    for (const std::string& violation : cluster_->violations()) ADD_FAILURE() << violation;
  }

  // Ticks until `done` holds; false after max_ticks.
  bool TickUntil(const std::function<bool()>& done, int max_ticks) {
    for (int i = 0; i < max_ticks; ++i) {
      if (done()) return true;
      cluster_->Tick();
    }
    return done();
  }
  void TickFor(int ticks) {
    for (int i = 0; i < ticks; ++i) cluster_->Tick();
  }

  NodeId WaitForLeader(int max_ticks = 100) {
    TickUntil([&] { return cluster_->Leader() != kNoNode; }, max_ticks);
    return cluster_->Leader();
  }

  // Each inner list is one side of the partition.
  void Partition(const std::vector<std::vector<NodeId>>& sides) {
    std::map<NodeId, int> groups;
    for (size_t side = 0; side < sides.size(); ++side) {
      for (NodeId id : sides[side]) groups[id] = static_cast<int>(side);
    }
    cluster_->network().SetPartition(groups);
  }

  LogIndex Put(NodeId leader, const std::string& key, const std::string& value) {
    Result<LogIndex> index = cluster_->core(leader)->Propose({EncodePut(key, value)});
    EXPECT_TRUE(index.ok()) << index.status().ToString();
    return index.ok() ? *index : 0;
  }

  bool Applied(NodeId id, LogIndex index) {
    const KvStateMachine* machine = cluster_->state_machine(id);
    return machine != nullptr && machine->state().applied >= index;
  }
  bool AppliedEverywhere(LogIndex index) {
    for (NodeId id : cluster_->node_ids()) {
      if (!Applied(id, index)) return false;
    }
    return true;
  }
  std::string Value(NodeId id, const std::string& key) {
    const auto& values = cluster_->state_machine(id)->state().values;
    auto it = values.find(key);
    return it == values.end() ? "" : it->second;
  }
  std::vector<NodeId> Others(NodeId id) {
    std::vector<NodeId> others;
    for (NodeId other : cluster_->node_ids()) {
      if (other != id) others.push_back(other);
    }
    return others;
  }

  std::unique_ptr<SimCluster> cluster_;
  std::vector<uint64_t> reads_ready_;
  std::vector<uint64_t> reads_failed_;
};

TEST_F(RaftScenarioTest, ElectsOneLeaderAndReplicatesToAll) {
  NodeId leader = StartWithLeader();
  ASSERT_NE(leader, kNoNode);
  LogIndex index = Put(leader, "a", "1");
  ASSERT_TRUE(TickUntil([&] { return AppliedEverywhere(index); }, 20));
  for (NodeId id : cluster_->node_ids()) {
    EXPECT_EQ(Value(id, "a"), "1");
    EXPECT_EQ(cluster_->core(id)->leader_id(), leader);
  }
}

TEST_F(RaftScenarioTest, FailoverTakesWellUnderTwoSecondsOfTicks) {
  NodeId leader = StartWithLeader();
  ASSERT_NE(leader, kNoNode);
  TickFor(10);
  cluster_->Crash(leader);
  int ticks = 0;
  TickUntil([&] { return ++ticks, cluster_->Leader() != kNoNode; }, 100);
  // The daemon ticks every 50 ms: 2 s are 40 ticks. Timeouts are [10, 20) ticks plus a
  // pre-vote and a vote round.
  EXPECT_LT(ticks, 30);
  EXPECT_NE(cluster_->Leader(), leader);
}

// Thesis figure 3.7: an entry of an earlier term that sits on a majority is not committed by
// counting replicas; only the leader's own noop commits it. Here the old entry X reaches a
// majority, its leader is cut off before the noop does, and a node holding a conflicting entry
// of a later term wins: X must not have been applied anywhere.
TEST_F(RaftScenarioTest, OldTermEntryOnMajorityIsNotCommittedByCounting) {
  NodeId a = StartWithLeader();
  ASSERT_NE(a, kNoNode);
  ASSERT_TRUE(TickUntil([&] { return AppliedEverywhere(cluster_->core(a)->last_index()); }, 20));
  // X stays on A alone.
  LogIndex x = Put(a, "k", "X");
  Partition({{a}, Others(a)});
  NodeId b = WaitForLeader(100);
  ASSERT_TRUE(
      TickUntil([&] { return cluster_->Leader() != a && cluster_->Leader() != kNoNode; }, 100));
  b = cluster_->Leader();
  NodeId c = Others(a)[0] == b ? Others(a)[1] : Others(a)[0];
  // B's noop (a conflicting entry at X's index) stays on B alone.
  Partition({{a}, {b}, {c}});
  TickFor(1);
  ASSERT_EQ(cluster_->storage(c).TermAt(x), std::nullopt);
  // A comes back with C, wins, and sends X to C one entry at a time.
  Partition({{a, c}, {b}});
  ASSERT_TRUE(TickUntil(
      [&] { return cluster_->Leader() == a && cluster_->storage(c).TermAt(x).has_value(); }, 200));
  // Cut A off as soon as C holds X, before the noop of A's term can follow.
  Partition({{a}, {b, c}});
  EXPECT_LT(cluster_->core(a)->commit_index(), x) << "X committed by counting replicas";
  // B wins with C (its last entry has the higher term) and overwrites X.
  ASSERT_TRUE(TickUntil([&] { return cluster_->Leader() == b; }, 300));
  LogIndex y = Put(b, "k", "Y");
  ASSERT_TRUE(TickUntil([&] { return Applied(b, y) && Applied(c, y); }, 50));
  EXPECT_EQ(Value(c, "k"), "Y");
  Partition({});
  ASSERT_TRUE(TickUntil([&] { return AppliedEverywhere(y); }, 100));
  EXPECT_EQ(Value(a, "k"), "Y");
}

TEST_F(RaftScenarioTest, ConflictingSuffixOfDeposedLeaderIsReplaced) {
  NodeId old_leader = StartWithLeader();
  ASSERT_NE(old_leader, kNoNode);
  for (int i = 0; i < 5; ++i) Put(old_leader, "k" + std::to_string(i), "lost");
  Partition({{old_leader}, Others(old_leader)});
  ASSERT_TRUE(TickUntil(
      [&] { return cluster_->Leader() != old_leader && cluster_->Leader() != kNoNode; }, 100));
  NodeId leader = cluster_->Leader();
  LogIndex last = 0;
  for (int i = 0; i < 8; ++i) last = Put(leader, "k" + std::to_string(i), "kept");
  ASSERT_TRUE(TickUntil([&] { return Applied(leader, last); }, 50));
  Partition({});
  ASSERT_TRUE(TickUntil([&] { return AppliedEverywhere(last); }, 100));
  for (int i = 0; i < 5; ++i) EXPECT_EQ(Value(old_leader, "k" + std::to_string(i)), "kept");
  EXPECT_EQ(cluster_->storage(old_leader).last_index(), cluster_->storage(leader).last_index());
}

TEST_F(RaftScenarioTest, PreVoteKeepsPartitionedFollowerFromRaisingTerms) {
  NodeId leader = StartWithLeader();
  ASSERT_NE(leader, kNoNode);
  NodeId follower = Others(leader)[0];
  Term term = cluster_->core(leader)->term();
  Partition({{follower}, Others(follower)});
  TickFor(200);  // many election timeouts
  EXPECT_EQ(cluster_->core(follower)->term(), term);
  Partition({});
  TickFor(50);
  EXPECT_EQ(cluster_->Leader(), leader);
  EXPECT_EQ(cluster_->core(leader)->term(), term);
}

// Leader stickiness: a follower that stops hearing the leader (a one-way link failure) while
// the others still hear it campaigns with a log as good as theirs. Its campaign must not
// depose the healthy leader.
TEST_F(RaftScenarioTest, FollowerThatStopsHearingTheLeaderCannotDeposeIt) {
  NodeId leader = StartWithLeader();
  ASSERT_NE(leader, kNoNode);
  NodeId deaf = Others(leader)[0];
  Term term = cluster_->core(leader)->term();
  cluster_->network().Block(leader, deaf);
  TickFor(100);
  EXPECT_EQ(cluster_->Leader(), leader);
  EXPECT_EQ(cluster_->core(leader)->term(), term);
  EXPECT_EQ(cluster_->core(Others(leader)[1])->term(), term);
  cluster_->network().Heal();
  LogIndex index = Put(leader, "k", "still leading");
  EXPECT_TRUE(TickUntil([&] { return AppliedEverywhere(index); }, 20));
}

TEST_F(RaftScenarioTest, LeaderWithoutQuorumStepsDownAndItsReadsFail) {
  NodeId leader = StartWithLeader();
  ASSERT_NE(leader, kNoNode);
  ASSERT_TRUE(
      TickUntil([&] { return AppliedEverywhere(cluster_->core(leader)->last_index()); }, 20));
  ASSERT_TRUE(cluster_->core(leader)->ReadIndex(1).ok());
  ASSERT_TRUE(TickUntil([&] { return reads_ready_.size() == 1; }, 10));
  Partition({{leader}, Others(leader)});
  ASSERT_TRUE(cluster_->core(leader)->ReadIndex(2).ok());
  // Check-quorum: within two election timeouts the cut-off leader gives up, and the read it
  // could not confirm fails instead of returning possibly stale data.
  ASSERT_TRUE(TickUntil([&] { return cluster_->core(leader)->role() != Role::kLeader; }, 25));
  EXPECT_EQ(reads_ready_.size(), 1u);
  EXPECT_EQ(reads_failed_, std::vector<uint64_t>{2});
}

// A leader that was paused (GC, SIGSTOP) while the others elected a successor comes back
// still believing it leads. ReadIndex must not answer from its stale state: the heartbeat
// round finds the newer term, and the read fails.
TEST_F(RaftScenarioTest, ResumedDeposedLeaderCannotServeStaleReads) {
  NodeId old_leader = StartWithLeader();
  ASSERT_NE(old_leader, kNoNode);
  LogIndex first = Put(old_leader, "k", "old");
  ASSERT_TRUE(TickUntil([&] { return AppliedEverywhere(first); }, 20));
  cluster_->Pause(old_leader, cluster_->now() + 60);
  ASSERT_TRUE(TickUntil(
      [&] { return cluster_->Leader() != kNoNode && cluster_->Leader() != old_leader; }, 50));
  NodeId leader = cluster_->Leader();
  LogIndex second = Put(leader, "k", "new");
  ASSERT_TRUE(TickUntil([&] { return Applied(leader, second); }, 20));
  ASSERT_TRUE(TickUntil([&] { return !cluster_->IsPaused(old_leader); }, 60));
  ASSERT_EQ(cluster_->core(old_leader)->role(), Role::kLeader);
  ASSERT_TRUE(cluster_->core(old_leader)->ReadIndex(9).ok());
  EXPECT_TRUE(reads_ready_.empty()) << "a deposed leader answered a read without a quorum";
  TickFor(5);
  EXPECT_TRUE(reads_ready_.empty());
  EXPECT_EQ(reads_failed_, std::vector<uint64_t>{9});
  EXPECT_NE(cluster_->core(old_leader)->role(), Role::kLeader);
}

TEST_F(RaftScenarioTest, TransferHandsLeadershipToTheTarget) {
  NodeId leader = StartWithLeader();
  ASSERT_NE(leader, kNoNode);
  NodeId target = Others(leader)[1];
  Term term = cluster_->core(leader)->term();
  ASSERT_TRUE(cluster_->core(leader)->TransferLeadership(target).ok());
  EXPECT_EQ(cluster_->core(leader)->Propose({EncodePut("k", "v")}).status().code(),
            StatusCode::kUnavailable);
  ASSERT_TRUE(TickUntil([&] { return cluster_->Leader() == target; }, 10));
  EXPECT_EQ(cluster_->core(target)->term(), term + 1);
  LogIndex index = Put(target, "k", "after transfer");
  EXPECT_TRUE(TickUntil([&] { return AppliedEverywhere(index); }, 20));
}

TEST_F(RaftScenarioTest, LaggingFollowerCatchesUpFromSnapshot) {
  RaftConfig config = ScenarioConfig();
  config.compaction_threshold_entries = 10;
  NodeId leader = StartWithLeader(config);
  ASSERT_NE(leader, kNoNode);
  NodeId lagging = Others(leader)[0];
  Partition({{lagging}, Others(lagging)});
  LogIndex last = 0;
  for (int i = 0; i < 40; ++i) {
    last = Put(leader, "k" + std::to_string(i % 7), std::to_string(i));
    TickFor(1);
  }
  ASSERT_TRUE(TickUntil([&] { return Applied(leader, last); }, 50));
  ASSERT_GT(cluster_->core(leader)->snapshot_index(), 1u);
  Partition({});
  ASSERT_TRUE(TickUntil([&] { return AppliedEverywhere(last); }, 100));
  EXPECT_GE(cluster_->core(lagging)->counters().snapshots_installed, 1u);
  EXPECT_EQ(cluster_->state_machine(lagging)->state().values,
            cluster_->state_machine(leader)->state().values);
}

TEST_F(RaftScenarioTest, AddedServerJoinsAsLearnerThenVotes) {
  NodeId leader = StartWithLeader();
  ASSERT_NE(leader, kNoNode);
  for (int i = 0; i < 20; ++i) Put(leader, "k", std::to_string(i));
  ASSERT_TRUE(
      TickUntil([&] { return AppliedEverywhere(cluster_->core(leader)->last_index()); }, 50));
  NodeId fresh = cluster_->AddNode();
  Result<LogIndex> added = cluster_->core(leader)->AddServer(Member{fresh, "fresh"});
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  EXPECT_TRUE(cluster_->core(leader)->membership().IsLearner(fresh));
  // One change at a time.
  EXPECT_EQ(cluster_->core(leader)->RemoveServer(Others(leader)[0]).status().code(),
            StatusCode::kUnavailable);
  ASSERT_TRUE(TickUntil([&] { return cluster_->core(leader)->membership().IsVoter(fresh); }, 50));
  ASSERT_TRUE(
      TickUntil([&] { return AppliedEverywhere(cluster_->core(leader)->last_index()); }, 50));
  EXPECT_EQ(Value(fresh, "k"), "19");
  EXPECT_EQ(cluster_->core(fresh)->membership().voters.size(), 4u);
}

TEST_F(RaftScenarioTest, RemovedLeaderStepsDownAndRemovedServerCannotDisrupt) {
  NodeId leader = StartWithLeader();
  ASSERT_NE(leader, kNoNode);
  Result<LogIndex> removal = cluster_->core(leader)->RemoveServer(leader);
  ASSERT_TRUE(removal.ok()) << removal.status().ToString();
  ASSERT_TRUE(
      TickUntil([&] { return cluster_->Leader() != leader && cluster_->Leader() != 0; }, 30));
  NodeId successor = cluster_->Leader();
  Term term = cluster_->core(successor)->term();
  EXPECT_FALSE(cluster_->core(successor)->membership().Contains(leader));
  // The removed node no longer hears heartbeats; its campaigns must not move the group.
  TickFor(200);
  EXPECT_EQ(cluster_->Leader(), successor);
  EXPECT_EQ(cluster_->core(successor)->term(), term);
  LogIndex index = Put(successor, "k", "two voters");
  EXPECT_TRUE(TickUntil([&] { return Applied(successor, index); }, 20));
}

TEST_F(RaftScenarioTest, NonLeaderNamesTheLeader) {
  NodeId leader = StartWithLeader();
  ASSERT_NE(leader, kNoNode);
  NodeId follower = Others(leader)[0];
  Result<LogIndex> refused = cluster_->core(follower)->Propose({EncodePut("k", "v")});
  EXPECT_EQ(refused.status().code(), StatusCode::kNotLeader);
  EXPECT_EQ(refused.status().message(), "node-" + std::to_string(leader));
  EXPECT_EQ(cluster_->core(follower)->ReadIndex(7).code(), StatusCode::kNotLeader);
}

TEST(RaftConfigTest, RejectsHeartbeatNotBelowElectionTimeout) {
  RaftConfig config;
  EXPECT_TRUE(config.Validate().ok());
  config.heartbeat_ticks = config.election_timeout_ticks;
  EXPECT_EQ(config.Validate().code(), StatusCode::kInvalidArgument);
  config = RaftConfig{};
  config.max_inflight_appends = 0;
  EXPECT_EQ(config.Validate().code(), StatusCode::kInvalidArgument);
}

TEST(RaftTypesTest, MembershipAndSnapshotMetaRoundTripAndRefuseGarbage) {
  SnapshotMeta meta{.index = 9, .term = 3, .membership = {}};
  meta.membership.voters = {{1, "a:1"}, {2, "b:2"}};
  meta.membership.learners = {{3, "c:3"}};
  Result<SnapshotMeta> decoded = SnapshotMeta::Decode(meta.Encode());
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, meta);
  std::string bytes = meta.membership.Encode();
  EXPECT_EQ(*Membership::Decode(bytes), meta.membership);
  EXPECT_FALSE(Membership::Decode(bytes.substr(0, bytes.size() - 1)).ok());
  EXPECT_FALSE(Membership::Decode(bytes + "x").ok());
  EXPECT_FALSE(Membership::Decode("").ok());
  bytes[1] = '\xff';  // a huge member count
  EXPECT_FALSE(Membership::Decode(bytes).ok());
  Membership twice;
  twice.voters = {{1, "a:1"}};
  twice.learners = {{1, "a:1"}};
  EXPECT_FALSE(Membership::Decode(twice.Encode()).ok());
}

TEST(RaftBootstrapTest, WritesTheFirstConfigurationOnce) {
  FaultPlan no_faults(1);
  SimStorage storage(&no_faults, [](const LogEntry&) {});
  Membership initial;
  initial.voters = {{1, "a:1"}, {2, "b:2"}, {3, "c:3"}};
  EXPECT_EQ(RaftCore::Bootstrap(&storage, Membership{}).code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(RaftCore::Bootstrap(&storage, initial).ok());
  ASSERT_EQ(storage.state().entries.size(), 1u);
  EXPECT_EQ(storage.state().entries[0].kind, EntryKind::kMembership);
  EXPECT_EQ(storage.state().hard_state.term, 1u);
  // Repeating it is harmless; bootstrapping another group over it is refused.
  EXPECT_TRUE(RaftCore::Bootstrap(&storage, initial).ok());
  EXPECT_EQ(storage.state().entries.size(), 1u);
  Membership other = initial;
  other.voters.pop_back();
  EXPECT_EQ(RaftCore::Bootstrap(&storage, other).code(), StatusCode::kAlreadyExists);
}

}  // namespace
}  // namespace tessera::raft::sim
