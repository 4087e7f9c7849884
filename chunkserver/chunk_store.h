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
// Failing data dirs: an operation on a chunk that fails with kIoError (the OS refused a read,
// write, create, sync or rename in its data dir: EIO, EACCES, EROFS, ...; ENOSPC is kNoSpace and
// a missing chunk file kNotFound, neither of which says the disk is bad) takes that data dir out
// of service: it gets no new chunk, every chunk in it is dropped from the index and reported in
// TakeChanges().removed (the master then copies them from other servers), and Space() counts it
// failed. The request still answers kIoError. The dir is used again only after a restart.
// Before each heartbeat CheckDataDirs() probes the dirs, so one that fails while no chunk in it
// is touched is found too.
//
// Corrupt chunks: a read or write that meets a block or header whose checksum does not match
// answers kCorruption and moves the chunk file into DATA_DIR/corrupt/ at once, dropping it from
// the index and reporting it removed, so that it is never served again and the master restores
// the replica from a good copy. Verify() does the same for the scrubber.
//
// Full data dirs: a new chunk (or a copy coming in) goes to the working data dir with most free
// space among those with room for a whole chunk; when none has room the answer is kNoSpace. A
// create that fails reports the chunk removed, so that the master drops this server from the
// chunk's chain and the writer's next prepareWrite gets a chain without it.
//
// Version rules: a write with a version older than the stored one is kStaleVersion; a newer one
// stamps the chunk with it. A read or sync naming a version newer than the stored one is
// kStaleVersion (this replica missed a write lease); an older one is served. A copied-in chunk
// (CommitImport) replaces an older version and is refused by a newer one.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <span>
#include <string>
#include <vector>

#include "chunkserver/chunk_file.h"
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
  // Of the working data dirs; file systems shared by several data dirs are counted once.
  int64_t total_bytes = 0;
  int64_t free_bytes = 0;
  int dirs_ok = 0;
  int dirs_failed = 0;  // taken out of service, or statvfs failed
};

// What the store did about bad disks and bad chunks since it opened.
struct StoreCounters {
  int64_t dirs_failed = 0;            // data dirs taken out of service
  int64_t chunks_lost_with_dirs = 0;  // chunks dropped because their data dir failed
  int64_t corrupt_set_aside = 0;      // chunk files moved to corrupt/ after a checksum mismatch
  int64_t creates_refused_full = 0;   // new chunks refused with kNoSpace: no data dir had room
};

// A data dir takes a new chunk only while it has room for a whole one.
inline constexpr int64_t kMinFreeBytesForNewChunk = kChunkSize + kChunkHeaderSize;

struct ChunkStoreOptions {
  // Free bytes of the file system holding a data dir (nullopt when it cannot be asked); statvfs
  // when empty. Tests give one that pretends a dir is full.
  std::function<std::optional<int64_t>(const std::string& dir)> free_bytes;
};

class ChunkStore {
 public:
  // Creates missing directories, loads or creates the server id and scans every chunk file.
  // REQUIRES: data_dirs non-empty, no duplicates.
  static Result<std::unique_ptr<ChunkStore>> Open(std::vector<std::string> data_dirs,
                                                  ChunkStoreOptions options = {});
  ~ChunkStore();

  int64_t server_id() const { return server_id_; }

  // Creates the chunk (in the working data dir with most free space) when it does not exist yet.
  Status Write(int64_t chunk_id, int64_t version, int64_t offset, std::span<const std::byte> data,
               bool sync);
  Result<std::string> Read(int64_t chunk_id, int64_t version, int64_t offset, int64_t length);
  // Verifies the checksums of the blocks covering [offset, offset + length) of the chunk at
  // whatever version it holds (the header's checksum on every call), holding the chunk's read
  // lock only meanwhile; returns the number of data bytes verified (0 at or past the end).
  // kCorruption when a checksum does not match (the chunk is then set aside, see above).
  Result<int64_t> Verify(int64_t chunk_id, int64_t offset, int64_t length);
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
  StoreCounters counters() const;

  // Probes every working data dir (its chunks/ directory can be opened) and takes out of
  // service the ones that fail with an I/O-type error.
  void CheckDataDirs();
  // Takes data dir `dir_index` out of service (see above) because of `why`; no-op when it is
  // out already. Public for tests and for failures found outside the store.
  void TakeDirOutOfService(size_t dir_index, const Status& why);
  bool dir_failed(size_t dir_index) const { return dir_failed_[dir_index].load(); }

  // DATA_DIR/chunks/XX/<16 hex>.chunk
  static std::string ChunkPath(const std::string& data_dir, int64_t chunk_id);

 private:
  struct ChunkEntry;

  ChunkStore(std::vector<std::string> data_dirs, int64_t server_id, ChunkStoreOptions options);
  std::optional<int64_t> FreeBytes(const std::string& dir) const;
  Status ScanDir(size_t dir_index);
  // Removes what a crash left in DATA_DIR/incoming/: copies that were never committed.
  Status ClearIncoming(size_t dir_index);
  void MoveAside(size_t dir_index, const std::string& path, const std::string& why);
  // What an operation on a chunk learned about its disk: the data dir it touched, if any.
  static constexpr size_t kNoDir = SIZE_MAX;
  // After an operation on `chunk_id` (no lock held): a kIoError in a data dir takes the dir out,
  // a kCorruption sets the chunk aside. Returns `status`.
  Status NoteOutcome(Status status, int64_t chunk_id, size_t dir, const char* what);
  // Drops the chunk from the index and reports it removed, if it is still in data dir `dir`;
  // a corrupt one (`why` kCorruption) is moved to DATA_DIR/corrupt/ first.
  void SetBadChunkAside(int64_t chunk_id, size_t dir, const Status& why, const char* what);
  // Whether the chunk was dropped as lost (bad dir or corrupt copy) at `version` or newer.
  bool LostAtOrAfter(int64_t chunk_id, int64_t version) const;
  Status WriteInDir(int64_t chunk_id, int64_t version, int64_t offset,
                    std::span<const std::byte> data, bool sync, size_t* dir);
  Result<std::string> ReadInDir(int64_t chunk_id, int64_t version, int64_t offset, int64_t length,
                                size_t* dir);
  Status SyncInDir(int64_t chunk_id, int64_t version, size_t* dir);
  std::shared_ptr<ChunkEntry> Find(int64_t chunk_id) const;
  std::shared_ptr<ChunkEntry> FindOrInsert(int64_t chunk_id);
  // Drops `entry` from the index if it is still the one stored for `chunk_id`.
  void Erase(int64_t chunk_id, const std::shared_ptr<ChunkEntry>& entry);
  // REQUIRES: entry->mu held exclusively, entry not on disk yet. Sets *dir_used to the data dir
  // it picked (kNoDir when none).
  Status CreateFile(int64_t chunk_id, int64_t version, ChunkEntry& entry, size_t* dir_used);
  // The working data dir with most free space among those with room for a new chunk (ties go
  // round the dirs in turn, so dirs sharing a file system share the chunks); kNoSpace when none
  // has room, kIoError when every data dir failed.
  Result<size_t> DirForNewChunk();
  // Drops `entry` (REQUIRES: its mu held exclusively, on disk) and reports the chunk removed.
  void DropLocked(int64_t chunk_id, const std::shared_ptr<ChunkEntry>& entry);
  Result<ImportOutcome> CommitImportInDir(std::unique_ptr<ChunkImport> import);
  void RecordAdded(const ChunkRecord& record);
  void RecordRemoved(int64_t chunk_id);

  const std::vector<std::string> data_dirs_;
  const int64_t server_id_;
  const ChunkStoreOptions options_;

  mutable std::mutex index_mu_;
  std::map<int64_t, std::shared_ptr<ChunkEntry>> index_;  // guarded by index_mu_
  // Chunks dropped as lost, with the version they had: a write at that version or an older one
  // must not create them afresh (it would serve zeros for the data they held); a copy
  // (CommitImport) brings one back, and a newer version is a fresh placement of a chunk that
  // holds no data yet. Guarded by index_mu_.
  std::map<int64_t, int64_t> lost_;

  std::mutex changes_mu_;
  std::map<int64_t, ChunkRecord> added_;  // guarded by changes_mu_
  std::set<int64_t> removed_;            // guarded by changes_mu_

  std::atomic<uint64_t> next_import_{0};  // makes staging file names unique
  std::atomic<uint64_t> next_tie_{0};     // rotates ties in DirForNewChunk

  // One flag per data dir, set once when it is taken out of service.
  std::vector<std::atomic<bool>> dir_failed_;
  std::atomic<int64_t> dirs_failed_{0};
  std::atomic<int64_t> chunks_lost_with_dirs_{0};
  std::atomic<int64_t> corrupt_set_aside_{0};
  std::atomic<int64_t> creates_refused_full_{0};
};

}  // namespace tessera
