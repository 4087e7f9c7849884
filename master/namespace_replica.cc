#include "master/namespace_replica.h"

#include <string>

#include "common/logging.h"
#include "master/meta_snapshot.h"
#include "master/records.h"

namespace tessera::master {
namespace {

constexpr const char* kComponent = "master";

// Only a failure to reach the database stops the node; any other outcome is the command's own
// (EEXIST, ...), reached identically on every replica.
bool IsStorageFailure(const Status& status) {
  return status.code() == StatusCode::kIoError || status.code() == StatusCode::kCorruption;
}

}  // namespace

// Receives a snapshot into a new generation; Commit makes it the live database.
class NamespaceReplica::RestoreSink final : public raft::SnapshotSink {
 public:
  RestoreSink(NamespaceReplica* owner, raft::SnapshotMeta meta,
              std::unique_ptr<MetaSnapshotBuilder> builder)
      : owner_(owner), meta_(std::move(meta)), builder_(std::move(builder)) {}

  Status Write(uint64_t offset, std::string_view data) override {
    return builder_->Write(offset, data);
  }

  Status Commit() override {
    RETURN_IF_ERROR(builder_->Finish(meta_));
    RETURN_IF_ERROR(owner_->SwitchTo(builder_->dir()));
    LOG(kInfo, kComponent) << "installed the snapshot at index " << meta_.index << " (term "
                           << meta_.term << ")";
    return Status::Ok();
  }

 private:
  NamespaceReplica* const owner_;
  const raft::SnapshotMeta meta_;
  std::unique_ptr<MetaSnapshotBuilder> builder_;
};

Status NamespaceReplica::Apply(const raft::LogEntry& entry) {
  const auto index = static_cast<int64_t>(entry.index);
  if (entry.kind != raft::EntryKind::kCommand) {
    RETURN_IF_ERROR(state_->ApplyNoEffect(index));
    if (observer_) observer_(entry, nullptr);
    return Status::Ok();
  }
  Result<LogCommand> command = DecodeLogCommand(entry.data);
  if (!command.ok()) {
    // The leader encoded it; damage here means a bug or a bad disk, and replicas must not guess.
    return Status::Corruption("entry " + std::to_string(entry.index) +
                              " does not decode: " + command.status().ToString());
  }
  Result<ApplyResult> outcome = state_->Apply(index, *command);
  if (!outcome.ok() && IsStorageFailure(outcome.status())) return outcome.status();
  if (observer_) observer_(entry, &outcome);
  return Status::Ok();
}

raft::LogIndex NamespaceReplica::AppliedIndex() const {
  return static_cast<raft::LogIndex>(state_->Counters().applied_index);
}

Status NamespaceReplica::MakeDurable() { return state_->Sync(); }

Result<std::unique_ptr<raft::SnapshotReader>> NamespaceReplica::OpenSnapshot() {
  ASSIGN_OR_RETURN(std::unique_ptr<MetaSnapshotReader> reader,
                   MetaSnapshotReader::Open(state_->CurrentStore()));
  return std::unique_ptr<raft::SnapshotReader>(std::move(reader));
}

Result<std::unique_ptr<raft::SnapshotSink>> NamespaceReplica::BeginRestore(
    const raft::SnapshotMeta& meta) {
  ASSIGN_OR_RETURN(std::string dir, directory_->NewGenerationPath());
  ASSIGN_OR_RETURN(std::unique_ptr<MetaSnapshotBuilder> builder, MetaSnapshotBuilder::Create(dir));
  LOG(kInfo, kComponent) << "receiving the snapshot at index " << meta.index << " into " << dir;
  return std::unique_ptr<raft::SnapshotSink>(
      std::make_unique<RestoreSink>(this, meta, std::move(builder)));
}

std::optional<raft::SnapshotMeta> NamespaceReplica::RestoredFrom() const {
  Result<std::optional<raft::SnapshotMeta>> meta = ReadRestoredFrom(*state_->CurrentStore());
  if (!meta.ok()) {
    LOG(kError, kComponent) << "cannot read the restored-from record: " << meta.status().ToString();
    return std::nullopt;
  }
  return *meta;
}

Status NamespaceReplica::SwitchTo(const std::string& dir) {
  RETURN_IF_ERROR(directory_->Install(dir));
  ASSIGN_OR_RETURN(std::unique_ptr<MetaStore> store, MetaStore::Open(dir, {}));
  // The previous database stays open while readers hold it and is removed at the next start.
  return state_->ReplaceStore(std::shared_ptr<MetaStore>(std::move(store)));
}

}  // namespace tessera::master
