// Typed access to the master's LevelDB database (layout in master/keys.h).
//
// Owns the leveldb::DB. Reads are thread-safe (LevelDB allows concurrent reads and writes);
// multi-key reads (listings) use an implicit LevelDB snapshot, so they see one consistent state.
// Writes go through Write(batch) only, each batch atomically; MetaStore does not order writers:
// the state machine serializes them.
#pragma once

#include <leveldb/db.h>
#include <leveldb/write_batch.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "master/records.h"

namespace tessera::master {

// The counters kept under meta keys, changed only by applying commands.
struct MetaCounters {
  int64_t applied_index = 0;
  int64_t next_inode = 2;  // 1 is the root
  int64_t next_chunk_id = 1;
  int64_t inode_count = 0;
  int64_t chunk_count = 0;
};

// LevelDB's status as ours: corruption stays corruption, anything else is an I/O error.
Status FromLevelDb(const leveldb::Status& status, std::string_view what);

// A frozen view of a whole MetaStore (a LevelDB snapshot): reads through it never see batches
// written after it was taken. REQUIRES: destroyed before the MetaStore it came from, and every
// iterator it made destroyed before it. Thread-safe as LevelDB reads are.
class MetaStoreView {
 public:
  ~MetaStoreView() { db_->ReleaseSnapshot(snapshot_); }
  MetaStoreView(const MetaStoreView&) = delete;
  MetaStoreView& operator=(const MetaStoreView&) = delete;

  // An unpositioned iterator over the view.
  std::unique_ptr<leveldb::Iterator> NewIterator() const;

 private:
  friend class MetaStore;
  explicit MetaStoreView(leveldb::DB* db) : db_(db), snapshot_(db->GetSnapshot()) {}

  leveldb::DB* const db_;
  const leveldb::Snapshot* const snapshot_;
};

struct NamedDentry {
  std::string name;
  DentryRecord dentry;
};

struct NamedXattr {
  std::string name;
  std::string value;
};

struct IndexedChunk {
  int64_t chunk_index = 0;
  ChunkRecord chunk;
};

class MetaStore {
 public:
  struct Options {
    // Sync every batch to disk before it counts as applied. Off in the daemon: a batch handed to
    // LevelDB is in the OS page cache and survives a crash of the process; Sync() makes all of
    // them survive a power loss when a client asks (fsync).
    bool sync_writes = false;
  };

  // Opens (creating if needed) the database in directory `path`.
  static Result<std::unique_ptr<MetaStore>> Open(const std::string& path, Options options);

  MetaStore(const MetaStore&) = delete;
  MetaStore& operator=(const MetaStore&) = delete;

  Result<std::optional<InodeRecord>> GetInode(int64_t inode) const;
  Result<std::optional<DentryRecord>> GetDentry(int64_t parent, std::string_view name) const;
  Result<std::optional<ChunkRecord>> GetChunk(int64_t inode, int64_t chunk_index) const;
  Result<std::optional<SessionRecord>> GetSession(int64_t client_id) const;
  Result<bool> HasDentries(int64_t parent) const;
  Result<std::optional<DrainingServerRecord>> GetDrainingServer(int64_t server_id) const;
  // Every draining chunk server, in server id order.
  Result<std::vector<DrainingServerRecord>> ListDrainingServers() const;
  Result<std::optional<UnlinkedInodeRecord>> GetUnlinkedInode(int64_t inode) const;
  Result<std::optional<BalanceRecord>> GetBalance() const;
  // Every unlinked inode (no name, kept while open somewhere), in inode order.
  Result<std::vector<UnlinkedInodeRecord>> ListUnlinkedInodes() const;
  // Up to `max_entries` entries of `parent` whose names sort after `after_name`; *eof is set
  // when no more follow.
  Result<std::vector<NamedDentry>> ListDentries(int64_t parent, std::string_view after_name,
                                                int max_entries, bool* eof) const;
  // Chunks of `inode` with index in [first_index, end_index).
  Result<std::vector<IndexedChunk>> ListChunks(int64_t inode, int64_t first_index,
                                               int64_t end_index) const;
  Result<MetaCounters> ReadCounters() const;
  // Extended attribute `name` of `inode`; nullopt when absent.
  Result<std::optional<std::string>> GetXattr(int64_t inode, std::string_view name) const;
  // Every extended attribute of `inode`, in name order, from one consistent view.
  Result<std::vector<NamedXattr>> ListXattrs(int64_t inode) const;
  // Calls visit(inode, chunk_index, record) for every chunk record, in key order, from one
  // consistent view. Stops early and returns the first error of a record that does not decode.
  Status ForEachChunk(
      const std::function<void(int64_t inode, int64_t chunk_index, const ChunkRecord&)>& visit)
      const;

  // Calls visit(key, value) for every key starting with `prefix`, in key order, from one
  // consistent view; stops at the first error visit returns and returns it.
  Status ForEachWithPrefix(std::string_view prefix,
                           const std::function<Status(std::string_view, std::string_view)>& visit)
      const;
  // The raw value at `key`; nullopt when absent.
  Result<std::optional<std::string>> GetValue(std::string_view key) const;

  // Writes `batch` atomically.
  Status Write(leveldb::WriteBatch* batch);
  // Every batch written before the call is on stable storage when it returns.
  Status Sync();
  // The state as of now, for reading while later batches are written (snapshots for Raft).
  std::unique_ptr<MetaStoreView> OpenView() const;
  // Calls `visit(key, value)` for every key in order: for consistency checks and tests.
  Status ForEach(const std::function<void(std::string_view, std::string_view)>& visit) const;

 private:
  MetaStore(std::unique_ptr<leveldb::DB> db, Options options)
      : db_(std::move(db)), options_(options) {}
  Result<std::optional<std::string>> GetRaw(const std::string& key) const;

  std::unique_ptr<leveldb::DB> db_;
  const Options options_;
};

}  // namespace tessera::master
