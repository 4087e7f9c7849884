#include "tests/unit/raft/kv_state_machine.h"

#include <utility>

namespace tessera::raft::sim {
namespace {

class KvSnapshotReader final : public SnapshotReader {
 public:
  KvSnapshotReader(LogIndex index, std::string bytes) : index_(index), bytes_(std::move(bytes)) {}
  LogIndex Index() const override { return index_; }
  Result<SnapshotChunk> Read(uint64_t offset, uint64_t max_bytes) override {
    if (offset > bytes_.size()) return Status::InvalidArgument("snapshot offset past the end");
    SnapshotChunk chunk;
    chunk.data = bytes_.substr(offset, max_bytes);
    chunk.last = offset + chunk.data.size() == bytes_.size();
    return chunk;
  }

 private:
  LogIndex index_;
  std::string bytes_;
};

class KvSnapshotSink final : public SnapshotSink {
 public:
  KvSnapshotSink(KvStateMachine* machine, FaultPlan* faults, SnapshotMeta meta)
      : machine_(machine), faults_(faults), meta_(std::move(meta)) {}
  Status Write(uint64_t offset, std::string_view data) override {
    if (offset != bytes_.size()) return Status::Internal("snapshot sink written out of order");
    if (faults_->Next() != FaultPlan::Outcome::kProceed) {
      return Status::IoError("injected fault writing a snapshot chunk");
    }
    bytes_.append(data);
    return Status::Ok();
  }
  Status Commit() override { return machine_->CommitRestore(meta_, bytes_); }

 private:
  KvStateMachine* machine_;
  FaultPlan* faults_;
  SnapshotMeta meta_;
  std::string bytes_;
};

void PutString(std::string* out, std::string_view value) {
  out->append(std::to_string(value.size()));
  out->push_back(':');
  out->append(value);
}

std::string TakeString(std::string_view* in) {
  size_t colon = in->find(':');
  size_t size = std::stoul(std::string(in->substr(0, colon)));
  std::string value(in->substr(colon + 1, size));
  in->remove_prefix(colon + 1 + size);
  return value;
}

}  // namespace

std::string KvState::Serialize() const {
  std::string out;
  for (const auto& [key, value] : values) {
    PutString(&out, key);
    PutString(&out, value);
  }
  return out;
}

KvState KvState::Deserialize(std::string_view bytes, const SnapshotMeta& meta) {
  KvState state;
  while (!bytes.empty()) {
    std::string key = TakeString(&bytes);
    state.values[key] = TakeString(&bytes);
  }
  state.applied = meta.index;
  state.restored_from = meta;
  return state;
}

std::string EncodePut(std::string_view key, std::string_view value) {
  std::string out(key);
  out.push_back('\0');
  out.append(value);
  return out;
}

bool DecodePut(std::string_view data, std::string* key, std::string* value) {
  size_t split = data.find('\0');
  if (split == std::string_view::npos) return false;
  *key = std::string(data.substr(0, split));
  *value = std::string(data.substr(split + 1));
  return true;
}

KvStateMachine::KvStateMachine(KvState* durable, FaultPlan* faults, uint64_t seed,
                               std::function<void(const LogEntry&, const KvState&)> on_apply)
    : durable_(durable),
      faults_(faults),
      rng_(seed),
      on_apply_(std::move(on_apply)),
      state_(*durable) {}

Status KvStateMachine::Apply(const LogEntry& entry) {
  if (entry.index != state_.applied + 1) return Status::Internal("entries applied out of order");
  std::string key;
  std::string value;
  if (entry.kind == EntryKind::kCommand && DecodePut(entry.data, &key, &value)) {
    state_.values[key] = value;
  }
  state_.applied = entry.index;
  on_apply_(entry, state_);
  // LevelDB writes each batch without sync; some later moment makes a prefix durable.
  if (rng_() % 4 == 0) *durable_ = state_;
  return Status::Ok();
}

Status KvStateMachine::MakeDurable() {
  FaultPlan::Outcome outcome = faults_->Next();
  if (outcome != FaultPlan::Outcome::kFailBefore) *durable_ = state_;
  if (outcome != FaultPlan::Outcome::kProceed) return Status::IoError("injected fault in sync");
  return Status::Ok();
}

Result<std::unique_ptr<SnapshotReader>> KvStateMachine::OpenSnapshot() {
  return std::unique_ptr<SnapshotReader>(
      std::make_unique<KvSnapshotReader>(state_.applied, state_.Serialize()));
}

Result<std::unique_ptr<SnapshotSink>> KvStateMachine::BeginRestore(const SnapshotMeta& meta) {
  return std::unique_ptr<SnapshotSink>(std::make_unique<KvSnapshotSink>(this, faults_, meta));
}

Status KvStateMachine::CommitRestore(const SnapshotMeta& meta, const std::string& bytes) {
  FaultPlan::Outcome outcome = faults_->Next();
  if (outcome != FaultPlan::Outcome::kFailBefore) {
    state_ = KvState::Deserialize(bytes, meta);
    *durable_ = state_;
  }
  if (outcome != FaultPlan::Outcome::kProceed) return Status::IoError("injected fault in restore");
  return Status::Ok();
}

}  // namespace tessera::raft::sim
