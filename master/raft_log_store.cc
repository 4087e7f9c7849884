#include "master/raft_log_store.h"

#include <leveldb/write_batch.h>

#include "common/checksum.h"
#include "master/keys.h"
#include "master/meta_store.h"

namespace tessera::master {
namespace {

using raft::EntryKind;
using raft::LogEntry;
using raft::LogIndex;
using raft::SnapshotMeta;
using raft::Term;

constexpr char kEntryPrefix = 'E';
constexpr std::string_view kHardStateKey = "H";
constexpr std::string_view kSnapshotKey = "S";
// index + term + kind before the data, checksum after it.
constexpr size_t kEntryHeaderBytes = 8 + 8 + 1;
constexpr size_t kEntryChecksumBytes = 8;

std::string EntryKey(LogIndex index) {
  std::string key(1, kEntryPrefix);
  AppendBigEndian64(&key, index);
  return key;
}

std::string EntryName(LogIndex index) { return "raft log entry key E+" + std::to_string(index); }

bool ValidKind(EntryKind kind) {
  switch (kind) {
    case EntryKind::kCommand:
    case EntryKind::kNoop:
    case EntryKind::kMembership:
      return true;
  }
  return false;
}

std::string EncodeEntry(const LogEntry& entry) {
  std::string value;
  value.reserve(kEntryHeaderBytes + entry.data.size() + kEntryChecksumBytes);
  AppendBigEndian64(&value, entry.index);
  AppendBigEndian64(&value, entry.term);
  value.push_back(static_cast<char>(entry.kind));
  value.append(entry.data);
  AppendBigEndian64(&value, Xxh3Checksum(value.data(), value.size()));
  return value;
}

Result<LogEntry> DecodeEntry(LogIndex key_index, std::string_view value) {
  if (value.size() < kEntryHeaderBytes + kEntryChecksumBytes) {
    return Status::Corruption(EntryName(key_index) + ": value of " + std::to_string(value.size()) +
                              " bytes is too short");
  }
  std::string_view body = value.substr(0, value.size() - kEntryChecksumBytes);
  if (ReadBigEndian64(value.substr(body.size())) != Xxh3Checksum(body.data(), body.size())) {
    return Status::Corruption(EntryName(key_index) + ": checksum mismatch");
  }
  LogEntry entry;
  entry.index = ReadBigEndian64(body);
  entry.term = ReadBigEndian64(body.substr(8));
  entry.kind = static_cast<EntryKind>(body[16]);
  entry.data = std::string(body.substr(kEntryHeaderBytes));
  if (entry.index != key_index) {
    return Status::Corruption(EntryName(key_index) + ": holds entry " +
                              std::to_string(entry.index));
  }
  if (!ValidKind(entry.kind)) return Status::Corruption(EntryName(key_index) + ": unknown kind");
  return entry;
}

std::string EncodeHardState(const raft::HardState& state) {
  std::string value;
  AppendBigEndian64(&value, state.term);
  AppendBigEndian64(&value, state.voted_for);
  return value;
}

Result<std::optional<std::string>> Get(leveldb::DB* db, std::string_view key) {
  std::string value;
  leveldb::Status status =
      db->Get(leveldb::ReadOptions(), leveldb::Slice(key.data(), key.size()), &value);
  if (status.IsNotFound()) return std::optional<std::string>();
  RETURN_IF_ERROR(FromLevelDb(status, "read raft log key " + std::string(key)));
  return std::optional<std::string>(std::move(value));
}

Result<raft::HardState> LoadHardState(leveldb::DB* db) {
  ASSIGN_OR_RETURN(std::optional<std::string> value, Get(db, kHardStateKey));
  if (!value) return raft::HardState{};
  if (value->size() != 16) return Status::Corruption("raft log key H: malformed hard state");
  return raft::HardState{.term = ReadBigEndian64(*value),
                         .voted_for = ReadBigEndian64(std::string_view(*value).substr(8))};
}

Result<std::optional<SnapshotMeta>> LoadSnapshotMeta(leveldb::DB* db) {
  ASSIGN_OR_RETURN(std::optional<std::string> value, Get(db, kSnapshotKey));
  if (!value) return std::optional<SnapshotMeta>();
  Result<SnapshotMeta> meta = SnapshotMeta::Decode(*value);
  if (!meta.ok()) return Status::Corruption("raft log key S: " + meta.status().message());
  return std::optional<SnapshotMeta>(std::move(meta).value());
}

// Reads every entry key in order and checks that they continue `snapshot` contiguously with
// terms that never decrease.
Result<std::vector<LogEntry>> LoadEntries(leveldb::DB* db, const SnapshotMeta& snapshot) {
  std::vector<LogEntry> entries;
  LogIndex expected = snapshot.index + 1;
  Term last_term = snapshot.term;
  std::unique_ptr<leveldb::Iterator> it(db->NewIterator(leveldb::ReadOptions()));
  for (it->Seek(std::string(1, kEntryPrefix)); it->Valid() && it->key()[0] == kEntryPrefix;
       it->Next()) {
    std::string_view key(it->key().data(), it->key().size());
    if (key.size() != 9) return Status::Corruption("raft log: malformed entry key");
    LogIndex index = ReadBigEndian64(key.substr(1));
    if (index != expected) {
      return Status::Corruption(EntryName(index) + ": expected entry " + std::to_string(expected));
    }
    ASSIGN_OR_RETURN(LogEntry entry,
                     DecodeEntry(index, std::string_view(it->value().data(), it->value().size())));
    if (entry.term < last_term) {
      return Status::Corruption(EntryName(index) + ": term " + std::to_string(entry.term) +
                                " after term " + std::to_string(last_term));
    }
    last_term = entry.term;
    ++expected;
    entries.push_back(std::move(entry));
  }
  RETURN_IF_ERROR(FromLevelDb(it->status(), "scan raft log"));
  return entries;
}

}  // namespace

Result<std::unique_ptr<RaftLogStore>> RaftLogStore::Open(const std::string& dir) {
  leveldb::Options options;
  options.create_if_missing = true;
  options.paranoid_checks = true;
  leveldb::DB* raw = nullptr;
  RETURN_IF_ERROR(FromLevelDb(leveldb::DB::Open(options, dir, &raw), "open raft log " + dir));
  return std::unique_ptr<RaftLogStore>(new RaftLogStore(std::unique_ptr<leveldb::DB>(raw)));
}

Result<raft::StoredState> RaftLogStore::Load() {
  raft::StoredState state;
  ASSIGN_OR_RETURN(state.hard_state, LoadHardState(db_.get()));
  ASSIGN_OR_RETURN(state.snapshot, LoadSnapshotMeta(db_.get()));
  SnapshotMeta snapshot = state.snapshot.value_or(SnapshotMeta{});
  ASSIGN_OR_RETURN(state.entries, LoadEntries(db_.get(), snapshot));
  bounds_.snapshot_index = snapshot.index;
  bounds_.snapshot_term = snapshot.term;
  bounds_.last_index = snapshot.index + state.entries.size();
  bounds_.last_term = state.entries.empty() ? snapshot.term : state.entries.back().term;
  loaded_ = true;
  return state;
}

Status RaftLogStore::SaveHardState(const raft::HardState& state) {
  RETURN_IF_ERROR(CheckLoaded());
  leveldb::WriteBatch batch;
  batch.Put(leveldb::Slice(kHardStateKey.data(), kHardStateKey.size()), EncodeHardState(state));
  return Commit(&batch, bounds_, "save raft hard state");
}

Status RaftLogStore::Append(const std::vector<LogEntry>& entries) {
  RETURN_IF_ERROR(CheckLoaded());
  if (entries.empty()) return Status::InvalidArgument("append of no entries");
  Bounds bounds = bounds_;
  leveldb::WriteBatch batch;
  for (const LogEntry& entry : entries) {
    if (entry.index != bounds.last_index + 1) {
      return Status::InvalidArgument("append of entry " + std::to_string(entry.index) +
                                     " after entry " + std::to_string(bounds.last_index));
    }
    if (entry.term < bounds.last_term) {
      return Status::InvalidArgument("append of entry " + std::to_string(entry.index) +
                                     " with term " + std::to_string(entry.term) + " below term " +
                                     std::to_string(bounds.last_term));
    }
    if (!ValidKind(entry.kind)) return Status::InvalidArgument("append of an unknown entry kind");
    batch.Put(EntryKey(entry.index), EncodeEntry(entry));
    bounds.last_index = entry.index;
    bounds.last_term = entry.term;
  }
  return Commit(&batch, bounds, "append raft entries");
}

Status RaftLogStore::TruncateFrom(LogIndex index) {
  RETURN_IF_ERROR(CheckLoaded());
  if (index <= bounds_.snapshot_index) {
    return Status::InvalidArgument("truncate from entry " + std::to_string(index) +
                                   " at or below the snapshot index " +
                                   std::to_string(bounds_.snapshot_index));
  }
  if (index > bounds_.last_index) return Status::Ok();  // nothing to drop
  Bounds bounds = bounds_;
  bounds.last_index = index - 1;
  ASSIGN_OR_RETURN(bounds.last_term, TermAt(bounds.last_index));
  leveldb::WriteBatch batch;
  DeleteEntries(index, bounds_.last_index, &batch);
  return Commit(&batch, bounds, "truncate raft log");
}

Status RaftLogStore::CompactThrough(const SnapshotMeta& meta) {
  RETURN_IF_ERROR(CheckLoaded());
  if (meta.index < bounds_.snapshot_index || meta.index > bounds_.last_index) {
    return Status::InvalidArgument("compaction through entry " + std::to_string(meta.index) +
                                   " outside the log [" + std::to_string(bounds_.snapshot_index) +
                                   ", " + std::to_string(bounds_.last_index) + "]");
  }
  ASSIGN_OR_RETURN(Term term, TermAt(meta.index));
  if (term != meta.term) {
    return Status::InvalidArgument("compaction through entry " + std::to_string(meta.index) +
                                   " of term " + std::to_string(term) + " names term " +
                                   std::to_string(meta.term));
  }
  Bounds bounds = bounds_;
  bounds.snapshot_index = meta.index;
  bounds.snapshot_term = meta.term;
  leveldb::WriteBatch batch;
  DeleteEntries(bounds_.snapshot_index + 1, meta.index, &batch);
  batch.Put(leveldb::Slice(kSnapshotKey.data(), kSnapshotKey.size()), meta.Encode());
  return Commit(&batch, bounds, "compact raft log");
}

Status RaftLogStore::ResetToSnapshot(const SnapshotMeta& meta) {
  RETURN_IF_ERROR(CheckLoaded());
  leveldb::WriteBatch batch;
  DeleteEntries(bounds_.snapshot_index + 1, bounds_.last_index, &batch);
  batch.Put(leveldb::Slice(kSnapshotKey.data(), kSnapshotKey.size()), meta.Encode());
  Bounds bounds{.snapshot_index = meta.index,
                .snapshot_term = meta.term,
                .last_index = meta.index,
                .last_term = meta.term};
  return Commit(&batch, bounds, "reset raft log to a snapshot");
}

Status RaftLogStore::CheckLoaded() const {
  if (!loaded_) return Status::InvalidArgument("raft log changed before Load");
  return Status::Ok();
}

Result<Term> RaftLogStore::TermAt(LogIndex index) const {
  if (index == bounds_.last_index) return bounds_.last_term;
  if (index == bounds_.snapshot_index) return bounds_.snapshot_term;
  ASSIGN_OR_RETURN(std::optional<std::string> value, Get(db_.get(), EntryKey(index)));
  if (!value) return Status::Corruption(EntryName(index) + ": missing");
  ASSIGN_OR_RETURN(LogEntry entry, DecodeEntry(index, *value));
  return entry.term;
}

void RaftLogStore::DeleteEntries(LogIndex first, LogIndex last, leveldb::WriteBatch* batch) {
  for (LogIndex index = first; index <= last; ++index) batch->Delete(EntryKey(index));
}

Status RaftLogStore::Commit(leveldb::WriteBatch* batch, const Bounds& bounds,
                            std::string_view what) {
  leveldb::WriteOptions options;
  options.sync = true;
  RETURN_IF_ERROR(FromLevelDb(db_->Write(options, batch), what));
  bounds_ = bounds;
  return Status::Ok();
}

}  // namespace tessera::master
