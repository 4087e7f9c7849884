// A small key-value state machine for the simulation: kCommand entries are puts ("key\0value"),
// reads look at the volatile state. Durability mimics a LevelDB-backed machine: what Apply wrote
// reaches the durable copy at some later moment (a coin per Apply), MakeDurable and a committed
// restore make everything durable at once, and a crash keeps only the durable copy.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <string_view>

#include "master/raft/raft_state_machine.h"
#include "tests/unit/raft/fault_plan.h"

namespace tessera::raft::sim {

struct KvState {
  std::map<std::string, std::string> values;
  LogIndex applied = 0;
  std::optional<SnapshotMeta> restored_from;

  std::string Serialize() const;
  static KvState Deserialize(std::string_view bytes, const SnapshotMeta& meta);
};

std::string EncodePut(std::string_view key, std::string_view value);
// False when `data` is not a put.
bool DecodePut(std::string_view data, std::string* key, std::string* value);

class KvStateMachine final : public RaftStateMachine {
 public:
  // `durable` outlives this object (it is the node's disk). `on_apply` sees every entry applied.
  KvStateMachine(KvState* durable, FaultPlan* faults, uint64_t seed,
                 std::function<void(const LogEntry&, const KvState&)> on_apply);

  Status Apply(const LogEntry& entry) override;
  LogIndex AppliedIndex() const override { return state_.applied; }
  Status MakeDurable() override;
  Result<std::unique_ptr<SnapshotReader>> OpenSnapshot() override;
  Result<std::unique_ptr<SnapshotSink>> BeginRestore(const SnapshotMeta& meta) override;
  std::optional<SnapshotMeta> RestoredFrom() const override { return state_.restored_from; }

  const KvState& state() const { return state_; }
  // Called by a sink's Commit.
  Status CommitRestore(const SnapshotMeta& meta, const std::string& bytes);

 private:
  KvState* durable_;
  FaultPlan* faults_;
  std::mt19937_64 rng_;
  std::function<void(const LogEntry&, const KvState&)> on_apply_;
  KvState state_;
};

}  // namespace tessera::raft::sim
