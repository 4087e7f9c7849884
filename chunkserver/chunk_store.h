// The chunks of this server, spread over one or more data directories.
//
// Layout: DATA_DIR/chunks/XX/<chunk id as 16 lowercase hex>.chunk (XX = lowest byte of the id),
// DATA_DIR/corrupt/ for files refused at start-up, DATA_DIR/incoming/ for chunks being copied in
// (ChunkImport; emptied at start-up), DATA_DIR/server_id.
//
// Thread-safety: every method is thread-safe. `index_mu_` guards only the map from chunk id to
// its ChunkEntry and is never held during I/O. Each ChunkEntry has a reader/writer lock: reads
// of a chunk share it, writes/syncs/deletes of that chunk hold it exclusively, so writes to one
// chunk are serialized while different chunks proceed in parallel. `changes_mu_` guards the
// incremental report (chunks added or removed since the last TakeChanges()).
//
// Version rules: a write with a version older than the stored one is kStaleVersion; a newer one
// stamps the chunk with it. A read or sync naming a version newer than the stored one is
// kStaleVersion (this replica missed a write lease); an older one is served. A copied-in chunk
// (CommitImport) replaces an older version and is refused by a newer one.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <span>
#include <string>
#include <vector>

#include "chunkserver/chunk_import.h"
#include "common/status.h"

namespace tessera {

struct ChunkRecord {
  int64_t chunk_id = 0;
  int64_t version = 0;
  int64_t length = 0;
  bool operator==(const ChunkRecord&) const = default;
};

// Chunks created or changed (new version or length) and chunks removed since the last call.
struct ChunkChanges {
  std::vector<ChunkRecord> added;
  std::vector<int64_t> removed;
};

struct ImportOutcome {
  ChunkRecord record;      // the chunk as it is now held here
  bool installed = false;  // false: it was already here at that version and the copy was dropped
};

struct SpaceStats {
  int64_t total_bytes = 0;  // file systems shared by several data dirs are counted once
  int64_t free_bytes = 0;
  int dirs_ok = 0;
  int dirs_failed = 0;  // statvfs failed
};

class ChunkStore {
 public:
  // Creates missing directories, loads or creates the server id and scans every chunk file.
  // REQUIRES: data_dirs non-empty, no duplicates.
  static Result<std::unique_ptr<ChunkStore>> Open(std::vector<std::string> data_dirs);
  ~ChunkStore();

  int64_t server_id() const { return server_id_; }

  // Creates the chunk (in the data dir with most free space) when it does not exist yet.
  Status Write(int64_t chunk_id, int64_t version, int64_t offset, std::span<const std::byte> data,
               bool sync);
  Result<std::string> Read(int64_t chunk_id, int64_t version, int64_t offset, int64_t length);
  Status Sync(int64_t chunk_id, int64_t version);
  // kNotFound when the chunk is not here.
  Status Delete(int64_t chunk_id);

  // The chunk's record when it is here (not while it is being created or after its deletion).
  std::optional<ChunkRecord> Lookup(int64_t chunk_id) const;

  // Starts a copy of the chunk at `version` from another server. It is staged in the data dir
  // that holds an older version of the chunk (so that the commit replaces it with one rename),
  // else in the one with most free space, and stays invisible until CommitImport.
  Result<std::unique_ptr<ChunkImport>> BeginImport(int64_t chunk_id, int64_t version);
  // Makes the staged copy the chunk: fsyncs it and checks its header, renames it into
  // DATA_DIR/chunks/XX/ (atomically replacing an older version there), fsyncs that directory
  // and only then enters it in the index and in the next TakeChanges().added. When the chunk is
  // here at that version already, the copy is dropped (installed false); at a newer version,
  // kStaleVersion. On any error the copy is dropped and the chunk is as it was before.
  Result<ImportOutcome> CommitImport(std::unique_ptr<ChunkImport> import);

  std::vector<ChunkRecord> ListChunks() const;
  ChunkChanges TakeChanges();
  int64_t chunk_count() const;
  SpaceStats Space() const;

  // DATA_DIR/chunks/XX/<16 hex>.chunk
  static std::string ChunkPath(const std::string& data_dir, int64_t chunk_id);

 private:
  struct ChunkEntry;

  ChunkStore(std::vector<std::string> data_dirs, int64_t server_id);
  Status ScanDir(size_t dir_index);
  // Removes what a crash left in DATA_DIR/incoming/: copies that were never committed.
  Status ClearIncoming(size_t dir_index);
  void MoveAside(size_t dir_index, const std::string& path, const std::string& why);
  std::shared_ptr<ChunkEntry> Find(int64_t chunk_id) const;
  std::shared_ptr<ChunkEntry> FindOrInsert(int64_t chunk_id);
  // Drops `entry` from the index if it is still the one stored for `chunk_id`.
  void Erase(int64_t chunk_id, const std::shared_ptr<ChunkEntry>& entry);
  // REQUIRES: entry->mu held exclusively, entry not on disk yet.
  Status CreateFile(int64_t chunk_id, int64_t version, ChunkEntry& entry);
  size_t DirWithMostFreeSpace() const;
  void RecordAdded(const ChunkRecord& record);
  void RecordRemoved(int64_t chunk_id);

  const std::vector<std::string> data_dirs_;
  const int64_t server_id_;

  mutable std::mutex index_mu_;
  std::map<int64_t, std::shared_ptr<ChunkEntry>> index_;  // guarded by index_mu_

  std::mutex changes_mu_;
  std::map<int64_t, ChunkRecord> added_;  // guarded by changes_mu_
  std::set<int64_t> removed_;            // guarded by changes_mu_

  std::atomic<uint64_t> next_import_{0};  // makes staging file names unique
};

}  // namespace tessera
