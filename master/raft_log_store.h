// raft::RaftStorage on a LevelDB database of its own (e.g. DATA_DIR/raft), apart from the
// namespace database: the Raft log is written on every append, the namespace on every apply, and
// neither should wait for the other's compactions.
//
// Layout (numbers big-endian, so that entry keys sort by index):
//   "E" + index (8)  -> index (8) + term (8) + kind (1) + data + XXH3-64 (8) of everything before
//   "H"              -> term (8) + voted_for (8)
//   "S"              -> raft::SnapshotMeta::Encode()
// An entry repeats its index so that a value stored under the wrong key is caught, and carries a
// checksum so that a damaged value is caught; Load() reports either as kCorruption naming the key.
//
// Every mutating call writes exactly one WriteBatch with sync=true, so it is atomic and durable
// when it returns OK (raft_storage.h). The store keeps the log's bounds in memory so that
// TruncateFrom and CompactThrough delete exactly the keys that exist instead of scanning ranges
// (a range scan over freshly deleted keys walks their tombstones).
//
// REQUIRES: Load() returned OK before any mutating call (the bounds come from it); a mutating
// call made earlier, or one that breaks a REQUIRES of raft_storage.h, returns kInvalidArgument
// and changes nothing.
// Thread-safety: none; the Raft core calls from one thread.
#pragma once

#include <leveldb/db.h>

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "master/raft/raft_storage.h"

namespace tessera::master {

class RaftLogStore final : public raft::RaftStorage {
 public:
  // Opens (creating if needed) the database in directory `dir`.
  static Result<std::unique_ptr<RaftLogStore>> Open(const std::string& dir);

  RaftLogStore(const RaftLogStore&) = delete;
  RaftLogStore& operator=(const RaftLogStore&) = delete;

  Result<raft::StoredState> Load() override;
  Status SaveHardState(const raft::HardState& state) override;
  Status Append(const std::vector<raft::LogEntry>& entries) override;
  Status TruncateFrom(raft::LogIndex index) override;
  Status CompactThrough(const raft::SnapshotMeta& meta) override;
  Status ResetToSnapshot(const raft::SnapshotMeta& meta) override;

 private:
  // What the store holds, kept in step with every successful write.
  struct Bounds {
    raft::LogIndex snapshot_index = 0;
    raft::Term snapshot_term = 0;
    raft::LogIndex last_index = 0;  // == snapshot_index when the log is empty
    raft::Term last_term = 0;       // of the entry at last_index (or of the snapshot)
  };

  explicit RaftLogStore(std::unique_ptr<leveldb::DB> db) : db_(std::move(db)) {}

  Status CheckLoaded() const;
  Result<raft::Term> TermAt(raft::LogIndex index) const;
  // Deletes the entry keys of [first, last] into `batch`.
  static void DeleteEntries(raft::LogIndex first, raft::LogIndex last, leveldb::WriteBatch* batch);
  // Writes `batch` with sync=true and adopts `bounds` once it is durable.
  Status Commit(leveldb::WriteBatch* batch, const Bounds& bounds, std::string_view what);

  std::unique_ptr<leveldb::DB> db_;
  bool loaded_ = false;
  Bounds bounds_;
};

}  // namespace tessera::master
