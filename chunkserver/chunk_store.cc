#include "chunkserver/chunk_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <filesystem>

#include "chunkserver/chunk_file.h"
#include "chunkserver/file_io.h"
#include "chunkserver/server_id.h"
#include "common/logging.h"

namespace tessera {

namespace fs = std::filesystem;

namespace {

constexpr char kComponent[] = "chunkserver";
constexpr char kChunkSuffix[] = ".chunk";
constexpr char kTempSuffix[] = ".tmp";
constexpr char kImportSuffix[] = ".import";

std::string Hex(uint64_t value, int digits) {
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%0*llx", digits, static_cast<unsigned long long>(value));
  return buf;
}

// "<16 lowercase hex>.chunk" -> chunk id; 0 when the name is not a chunk file name.
int64_t ParseChunkFileName(const std::string& name) {
  if (name.size() != 16 + sizeof(kChunkSuffix) - 1 || !name.ends_with(kChunkSuffix)) return 0;
  for (int i = 0; i < 16; ++i) {
    char c = name[i];
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return 0;
  }
  uint64_t id = 0;
  std::from_chars(name.data(), name.data() + 16, id, 16);
  return id > 0 && id <= static_cast<uint64_t>(INT64_MAX) ? static_cast<int64_t>(id) : 0;
}

}  // namespace

struct ChunkStore::ChunkEntry {
  std::shared_mutex mu;
  // The fields below are guarded by mu.
  size_t dir = 0;
  int64_t version = 0;
  int64_t length = 0;
  bool on_disk = false;  // false while being created, or after a failed create
  bool removed = false;  // dropped from the index: look the chunk up again
  // The directory entry of a chunk created by this process is not yet known to be durable;
  // the first Sync makes it so (chunks found by the start-up scan are already on disk).
  bool entry_synced = true;
};

namespace {

Status NotHere(int64_t chunk_id) {
  return Status::NotFound("chunk " + std::to_string(chunk_id) + " is not here");
}

// A failed std::filesystem call, translated like an errno (file_io.h).
Status FsError(const std::string& what, const std::error_code& ec) {
  if (ec.category() == std::system_category() || ec.category() == std::generic_category()) {
    return StatusFromErrno(what, ec.value());
  }
  return Status::IoError(what + ": " + ec.message());
}

Status StaleVersionError(int64_t chunk_id, int64_t held, const char* what, int64_t named) {
  return Status::StaleVersion("chunk " + std::to_string(chunk_id) + " is at version " +
                              std::to_string(held) + ", " + what + " names " +
                              std::to_string(named));
}

// Creates the chunks/XX directory of `chunk_path` when missing and makes its entry in chunks/
// durable, so that a chunk renamed into it survives a crash. Always synced, not only when this
// call created it: another thread may have created it and not yet synced chunks/.
Status MakeDurableChunkSubdir(const std::string& chunk_path) {
  const fs::path subdir = fs::path(chunk_path).parent_path();
  std::error_code ec;
  fs::create_directories(subdir, ec);
  if (ec) return FsError("cannot create " + subdir.string(), ec);
  return SyncDirectory(subdir.parent_path().string());
}

// After the chunk file at `path` was synced: makes its directory entry durable too, once.
Status SyncNewEntry(const std::string& path, bool* entry_synced) {
  if (*entry_synced) return Status::Ok();
  RETURN_IF_ERROR(SyncDirectory(fs::path(path).parent_path().string()));
  *entry_synced = true;
  return Status::Ok();
}

}  // namespace

std::string ChunkStore::ChunkPath(const std::string& data_dir, int64_t chunk_id) {
  auto id = static_cast<uint64_t>(chunk_id);
  return data_dir + "/chunks/" + Hex(id & 0xff, 2) + "/" + Hex(id, 16) + kChunkSuffix;
}

ChunkStore::ChunkStore(std::vector<std::string> data_dirs, int64_t server_id,
                       ChunkStoreOptions options)
    : data_dirs_(std::move(data_dirs)),
      server_id_(server_id),
      options_(std::move(options)),
      dir_failed_(data_dirs_.size()) {}

std::optional<int64_t> ChunkStore::FreeBytes(const std::string& dir) const {
  if (options_.free_bytes) return options_.free_bytes(dir);
  struct statvfs st {};
  if (::statvfs(dir.c_str(), &st) != 0) return std::nullopt;
  return static_cast<int64_t>(st.f_bavail) * static_cast<int64_t>(st.f_frsize);
}

ChunkStore::~ChunkStore() = default;

Result<std::unique_ptr<ChunkStore>> ChunkStore::Open(std::vector<std::string> data_dirs,
                                                     ChunkStoreOptions options) {
  if (data_dirs.empty()) return Status::InvalidArgument("no data directory given");
  for (const std::string& dir : data_dirs) {
    std::error_code ec;
    fs::create_directories(dir + "/chunks", ec);
    if (!ec) fs::create_directories(dir + "/corrupt", ec);
    if (!ec) fs::create_directories(dir + "/incoming", ec);
    if (ec) return Status::IoError("cannot create directories in " + dir + ": " + ec.message());
  }
  ASSIGN_OR_RETURN(int64_t server_id, LoadOrCreateServerId(data_dirs));
  std::unique_ptr<ChunkStore> store(
      new ChunkStore(std::move(data_dirs), server_id, std::move(options)));
  for (size_t i = 0; i < store->data_dirs_.size(); ++i) {
    RETURN_IF_ERROR(store->ClearIncoming(i));
    RETURN_IF_ERROR(store->ScanDir(i));
  }
  LOG(kInfo, kComponent) << "chunk store open: server id " << server_id << ", "
                         << store->chunk_count() << " chunks in " << store->data_dirs_.size()
                         << " data dirs";
  return store;
}

void ChunkStore::MoveAside(size_t dir_index, const std::string& path, const std::string& why) {
  std::string target = data_dirs_[dir_index] + "/corrupt/" + fs::path(path).filename().string();
  std::error_code ec;
  for (int n = 1; fs::exists(target, ec); ++n) {
    target = data_dirs_[dir_index] + "/corrupt/" + fs::path(path).filename().string() + "." +
             std::to_string(n);
  }
  fs::rename(path, target, ec);
  if (ec) {
    LOG(kError, kComponent) << "set aside " << path << " (" << why
                            << ") but cannot move it: " << ec.message();
    return;
  }
  LOG(kWarning, kComponent) << "set aside " << path << " (" << why << "): moved to " << target;
}

Status ChunkStore::ClearIncoming(size_t dir_index) {
  const std::string incoming = data_dirs_[dir_index] + "/incoming";
  std::error_code ec;
  std::vector<fs::path> leftovers;
  for (fs::directory_iterator it(incoming, ec), end; !ec && it != end; it.increment(ec)) {
    leftovers.push_back(it->path());
  }
  if (ec) return Status::IoError("cannot list " + incoming + ": " + ec.message());
  for (const fs::path& leftover : leftovers) {
    fs::remove_all(leftover, ec);
    if (ec) return Status::IoError("cannot remove " + leftover.string() + ": " + ec.message());
  }
  if (!leftovers.empty()) {
    LOG(kInfo, kComponent) << "removed " << leftovers.size() << " unfinished chunk copies from "
                           << incoming;
  }
  return Status::Ok();
}

Status ChunkStore::ScanDir(size_t dir_index) {
  const std::string chunks_dir = data_dirs_[dir_index] + "/chunks";
  std::error_code ec;
  std::vector<fs::path> files;
  for (fs::recursive_directory_iterator it(chunks_dir, ec), end; !ec && it != end;
       it.increment(ec)) {
    std::error_code type_ec;
    if (it->is_regular_file(type_ec)) files.push_back(it->path());
  }
  if (ec) return Status::IoError("cannot scan " + chunks_dir + ": " + ec.message());

  for (const fs::path& file : files) {
    const std::string path = file.string();
    const std::string name = file.filename().string();
    if (name.ends_with(kTempSuffix)) {
      // A create that crashed before its rename: the chunk never existed.
      fs::remove(file, ec);
      LOG(kInfo, kComponent) << "removed unfinished chunk file " << path;
      continue;
    }
    int64_t chunk_id = ParseChunkFileName(name);
    if (chunk_id == 0 || path != ChunkPath(data_dirs_[dir_index], chunk_id)) {
      MoveAside(dir_index, path, "not a chunk file name or wrong subdirectory");
      continue;
    }
    Result<std::unique_ptr<FileIo>> io = OpenPosixFile(path, OpenMode::kReadOnly);
    if (!io.ok()) return io.status();
    Result<std::unique_ptr<ChunkFile>> chunk = ChunkFile::Open(std::move(*io), chunk_id);
    if (!chunk.ok()) {
      if (chunk.status().code() != StatusCode::kCorruption) return chunk.status();
      MoveAside(dir_index, path, chunk.status().message());
      continue;
    }
    auto entry = std::make_shared<ChunkEntry>();
    entry->dir = dir_index;
    entry->version = (*chunk)->version();
    entry->length = (*chunk)->length();
    entry->on_disk = true;
    auto [it, inserted] = index_.emplace(chunk_id, entry);
    if (!inserted) {
      // The same chunk in two data dirs: keep the newer version, set the other aside.
      ChunkEntry& kept = *it->second;
      if (kept.version >= entry->version) {
        MoveAside(dir_index, path, "older duplicate of a chunk in " + data_dirs_[kept.dir]);
      } else {
        MoveAside(kept.dir, ChunkPath(data_dirs_[kept.dir], chunk_id),
                  "older duplicate of a chunk in " + data_dirs_[dir_index]);
        it->second = entry;
      }
    }
  }
  return Status::Ok();
}

std::shared_ptr<ChunkStore::ChunkEntry> ChunkStore::Find(int64_t chunk_id) const {
  std::lock_guard lock(index_mu_);
  auto it = index_.find(chunk_id);
  return it == index_.end() ? nullptr : it->second;
}

std::shared_ptr<ChunkStore::ChunkEntry> ChunkStore::FindOrInsert(int64_t chunk_id) {
  std::lock_guard lock(index_mu_);
  auto& slot = index_[chunk_id];
  if (!slot) slot = std::make_shared<ChunkEntry>();
  return slot;
}

void ChunkStore::Erase(int64_t chunk_id, const std::shared_ptr<ChunkEntry>& entry) {
  std::lock_guard lock(index_mu_);
  auto it = index_.find(chunk_id);
  if (it != index_.end() && it->second == entry) index_.erase(it);
}

Result<size_t> ChunkStore::DirForNewChunk() {
  std::vector<size_t> best;
  int64_t best_free = -1;
  size_t working = 0;
  int64_t most_free_seen = 0;
  for (size_t i = 0; i < data_dirs_.size(); ++i) {
    if (dir_failed_[i].load()) continue;
    ++working;
    const std::optional<int64_t> free = FreeBytes(data_dirs_[i]);
    if (!free) continue;
    const int64_t free_bytes = *free;
    most_free_seen = std::max(most_free_seen, free_bytes);
    if (free_bytes < kMinFreeBytesForNewChunk) continue;
    // Free space in whole chunks: dirs sharing a file system (or nearly as free) tie.
    const int64_t free_chunks = free_bytes / kChunkSize;
    if (free_chunks > best_free) {
      best_free = free_chunks;
      best.clear();
    }
    if (free_chunks == best_free) best.push_back(i);
  }
  if (working == 0) return Status::IoError("every data dir of this server has failed");
  if (best.empty()) {
    ++creates_refused_full_;
    LOG(kWarning, kComponent) << "new chunk refused: no data dir has room for a whole chunk ("
                              << kMinFreeBytesForNewChunk << " bytes; most free is "
                              << most_free_seen << ")";
    return Status::NoSpace("no data dir of this server has room for a new chunk (" +
                           std::to_string(most_free_seen) + " bytes free at most)");
  }
  return best[next_tie_++ % best.size()];
}

Status ChunkStore::CreateFile(int64_t chunk_id, int64_t version, ChunkEntry& entry,
                              size_t* dir_used) {
  ASSIGN_OR_RETURN(const size_t dir, DirForNewChunk());
  *dir_used = dir;
  const std::string path = ChunkPath(data_dirs_[dir], chunk_id);
  const std::string tmp = path + kTempSuffix;
  const std::string parent = fs::path(path).parent_path().string();
  std::error_code ec;
  fs::create_directories(parent, ec);
  if (ec) return FsError("cannot create " + parent, ec);
  // Header first under a temporary name, then rename: a running server never sees a half-made
  // chunk under its real name. Nothing is synced here: like its data, a new chunk is promised
  // to survive a power loss only once a client's fsync reached it (Sync); a header torn by a
  // crash before that is found by the start-up scan and moved aside.
  fs::remove(tmp, ec);
  {
    ASSIGN_OR_RETURN(auto io, OpenPosixFile(tmp, OpenMode::kCreateExclusive));
    ASSIGN_OR_RETURN(auto chunk, ChunkFile::Create(std::move(io), chunk_id, version));
  }
  fs::rename(tmp, path, ec);
  if (ec) return FsError("cannot rename " + tmp, ec);
  entry.entry_synced = false;
  entry.dir = dir;
  entry.version = version;
  entry.length = 0;
  entry.on_disk = true;
  LOG(kInfo, kComponent) << "created chunk " << chunk_id << " version " << version << " in "
                         << data_dirs_[dir];
  return Status::Ok();
}

Status ChunkStore::Write(int64_t chunk_id, int64_t version, int64_t offset,
                         std::span<const std::byte> data, bool sync) {
  size_t dir = kNoDir;
  Status status = WriteInDir(chunk_id, version, offset, data, sync, &dir);
  return NoteOutcome(std::move(status), chunk_id, dir, "write");
}

Status ChunkStore::WriteInDir(int64_t chunk_id, int64_t version, int64_t offset,
                              std::span<const std::byte> data, bool sync, size_t* dir) {
  if (chunk_id <= 0 || version <= 0) {
    return Status::InvalidArgument("chunk id and version must be positive");
  }
  for (;;) {
    std::shared_ptr<ChunkEntry> entry = FindOrInsert(chunk_id);
    std::unique_lock lock(entry->mu);
    if (entry->removed) continue;  // deleted meanwhile; a fresh entry is in the index
    if (!entry->on_disk) {
      if (LostAtOrAfter(chunk_id, version)) {
        // Creating it afresh would serve zeros for the data it held: only a copy brings it back.
        // Reported gone again, in case the master placed it here meanwhile.
        entry->removed = true;
        Erase(chunk_id, entry);
        RecordRemoved(chunk_id);
        return Status::IoError("chunk " + std::to_string(chunk_id) +
                               " was lost here (failed data dir or corrupt copy); the master "
                               "was told, ask it for the chain again");
      }
      Status created = CreateFile(chunk_id, version, *entry, dir);
      if (!created.ok()) {
        entry->removed = true;
        Erase(chunk_id, entry);
        // The master placed the chunk here: tell it the chunk is not, so that the writer's next
        // prepareWrite gets a chain without this server.
        RecordRemoved(chunk_id);
        return created;
      }
    } else if (version < entry->version) {
      return StaleVersionError(chunk_id, entry->version, "write", version);
    }
    *dir = entry->dir;
    const std::string path = ChunkPath(data_dirs_[entry->dir], chunk_id);
    ASSIGN_OR_RETURN(auto io, OpenPosixFile(path, OpenMode::kReadWrite));
    ASSIGN_OR_RETURN(auto chunk, ChunkFile::Open(std::move(io), chunk_id));
    const bool changed_version = version != entry->version;
    RETURN_IF_ERROR(chunk->Write(version, offset, data));
    if (sync) {
      RETURN_IF_ERROR(chunk->Sync());
      RETURN_IF_ERROR(SyncNewEntry(path, &entry->entry_synced));
    }
    if (changed_version) {
      LOG(kInfo, kComponent) << "chunk " << chunk_id << " version " << entry->version << " -> "
                             << version;
    }
    entry->version = chunk->version();
    entry->length = chunk->length();
    RecordAdded({chunk_id, entry->version, entry->length});
    return Status::Ok();
  }
}

Result<std::string> ChunkStore::Read(int64_t chunk_id, int64_t version, int64_t offset,
                                     int64_t length) {
  size_t dir = kNoDir;
  Result<std::string> data = ReadInDir(chunk_id, version, offset, length, &dir);
  if (data.ok()) return data;
  return NoteOutcome(data.status(), chunk_id, dir, "read");
}

Result<int64_t> ChunkStore::Verify(int64_t chunk_id, int64_t offset, int64_t length) {
  size_t dir = kNoDir;
  // Version 0: whatever version is here.
  Result<std::string> data = ReadInDir(chunk_id, 0, offset, length, &dir);
  if (data.ok()) return static_cast<int64_t>(data->size());
  return NoteOutcome(data.status(), chunk_id, dir, "scrub");
}

Result<std::string> ChunkStore::ReadInDir(int64_t chunk_id, int64_t version, int64_t offset,
                                          int64_t length, size_t* dir) {
  std::shared_ptr<ChunkEntry> entry = Find(chunk_id);
  if (!entry) return NotHere(chunk_id);
  std::shared_lock lock(entry->mu);
  if (!entry->on_disk || entry->removed) return NotHere(chunk_id);
  if (version > entry->version) {
    return StaleVersionError(chunk_id, entry->version, "read", version);
  }
  *dir = entry->dir;
  ASSIGN_OR_RETURN(auto io,
                   OpenPosixFile(ChunkPath(data_dirs_[entry->dir], chunk_id), OpenMode::kReadOnly));
  ASSIGN_OR_RETURN(auto chunk, ChunkFile::Open(std::move(io), chunk_id));
  return chunk->Read(offset, length);
}

Status ChunkStore::Sync(int64_t chunk_id, int64_t version) {
  size_t dir = kNoDir;
  Status status = SyncInDir(chunk_id, version, &dir);
  return NoteOutcome(std::move(status), chunk_id, dir, "sync");
}

Status ChunkStore::SyncInDir(int64_t chunk_id, int64_t version, size_t* dir) {
  std::shared_ptr<ChunkEntry> entry = Find(chunk_id);
  if (!entry) return NotHere(chunk_id);
  std::unique_lock lock(entry->mu);
  if (!entry->on_disk || entry->removed) return NotHere(chunk_id);
  if (version > entry->version) {
    return StaleVersionError(chunk_id, entry->version, "sync", version);
  }
  *dir = entry->dir;
  const std::string path = ChunkPath(data_dirs_[entry->dir], chunk_id);
  ASSIGN_OR_RETURN(auto io, OpenPosixFile(path, OpenMode::kReadWrite));
  RETURN_IF_ERROR(io->Sync());
  return SyncNewEntry(path, &entry->entry_synced);
}

Status ChunkStore::NoteOutcome(Status status, int64_t chunk_id, size_t dir, const char* what) {
  if (status.ok() || dir == kNoDir) return status;
  switch (status.code()) {
    case StatusCode::kIoError:
      TakeDirOutOfService(dir, status);
      break;
    case StatusCode::kCorruption:
      SetBadChunkAside(chunk_id, dir, status, what);
      break;
    case StatusCode::kNotFound:
      // The chunk's file vanished under us (removed by hand?): it is not here any more.
      SetBadChunkAside(chunk_id, dir, status, what);
      break;
    default:
      break;
  }
  return status;
}

void ChunkStore::SetBadChunkAside(int64_t chunk_id, size_t dir, const Status& why,
                                  const char* what) {
  std::shared_ptr<ChunkEntry> entry = Find(chunk_id);
  if (!entry) return;
  std::unique_lock lock(entry->mu);
  if (!entry->on_disk || entry->removed || entry->dir != dir) return;
  const std::string reason = std::string(what) + " of chunk " + std::to_string(chunk_id) +
                             " version " + std::to_string(entry->version) + ": " + why.ToString() +
                             "; reported removed";
  if (why.code() == StatusCode::kCorruption) {
    MoveAside(dir, ChunkPath(data_dirs_[dir], chunk_id), reason);
    ++corrupt_set_aside_;
  } else {
    LOG(kWarning, kComponent) << "dropped " << reason;
  }
  DropLocked(chunk_id, entry);
}

void ChunkStore::DropLocked(int64_t chunk_id, const std::shared_ptr<ChunkEntry>& entry) {
  entry->on_disk = false;
  entry->removed = true;
  {
    std::lock_guard lock(index_mu_);
    auto it = index_.find(chunk_id);
    if (it != index_.end() && it->second == entry) index_.erase(it);
    lost_[chunk_id] = entry->version;
  }
  RecordRemoved(chunk_id);
}

bool ChunkStore::LostAtOrAfter(int64_t chunk_id, int64_t version) const {
  std::lock_guard lock(index_mu_);
  auto it = lost_.find(chunk_id);
  return it != lost_.end() && it->second >= version;
}

void ChunkStore::TakeDirOutOfService(size_t dir_index, const Status& why) {
  if (dir_failed_[dir_index].exchange(true)) return;
  ++dirs_failed_;
  std::vector<std::pair<int64_t, std::shared_ptr<ChunkEntry>>> entries;
  {
    std::lock_guard lock(index_mu_);
    entries.assign(index_.begin(), index_.end());
  }
  // A chunk being created in this dir right now is in `entries` (it entered the index before
  // the dir was picked, which was before the flag was set); locking it waits for the create.
  int64_t dropped = 0;
  for (auto& [chunk_id, entry] : entries) {
    std::unique_lock lock(entry->mu);
    if (!entry->on_disk || entry->removed || entry->dir != dir_index) continue;
    DropLocked(chunk_id, entry);
    ++dropped;
  }
  chunks_lost_with_dirs_ += dropped;
  size_t working = 0;
  for (const auto& failed : dir_failed_) working += failed.load() ? 0 : 1;
  LOG(kError, kComponent) << "data dir " << data_dirs_[dir_index] << " failed (" << why.ToString()
                          << "): taken out of service, " << dropped
                          << " chunks in it reported lost; " << working << " of "
                          << data_dirs_.size() << " data dirs left";
  if (working == 0) {
    LOG(kError, kComponent) << "every data dir has failed: this server holds no chunk and takes "
                               "none until it is restarted with working data dirs";
  }
}

void ChunkStore::CheckDataDirs() {
  for (size_t i = 0; i < data_dirs_.size(); ++i) {
    if (dir_failed_[i].load()) continue;
    const std::string chunks_dir = data_dirs_[i] + "/chunks";
    int fd = ::open(chunks_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
      ::close(fd);
      continue;
    }
    Status probe = StatusFromErrno("open " + chunks_dir, errno);
    // Short of file descriptors or memory says nothing about the disk.
    if (probe.code() != StatusCode::kUnavailable) TakeDirOutOfService(i, probe);
  }
}

StoreCounters ChunkStore::counters() const {
  StoreCounters counters;
  counters.dirs_failed = dirs_failed_.load();
  counters.chunks_lost_with_dirs = chunks_lost_with_dirs_.load();
  counters.corrupt_set_aside = corrupt_set_aside_.load();
  counters.creates_refused_full = creates_refused_full_.load();
  return counters;
}

Status ChunkStore::Delete(int64_t chunk_id) {
  std::shared_ptr<ChunkEntry> entry = Find(chunk_id);
  if (!entry) return NotHere(chunk_id);
  std::unique_lock lock(entry->mu);
  if (!entry->on_disk || entry->removed) return NotHere(chunk_id);
  const std::string path = ChunkPath(data_dirs_[entry->dir], chunk_id);
  std::error_code ec;
  fs::remove(path, ec);
  if (ec) {
    const size_t dir = entry->dir;
    lock.unlock();
    Status failed = FsError("cannot delete " + path, ec);
    if (failed.code() == StatusCode::kIoError) TakeDirOutOfService(dir, failed);
    return failed;
  }
  entry->on_disk = false;
  entry->removed = true;
  Erase(chunk_id, entry);
  RecordRemoved(chunk_id);
  LOG(kInfo, kComponent) << "deleted chunk " << chunk_id << " version " << entry->version;
  return Status::Ok();
}

std::optional<ChunkRecord> ChunkStore::Lookup(int64_t chunk_id) const {
  std::shared_ptr<ChunkEntry> entry = Find(chunk_id);
  if (!entry) return std::nullopt;
  std::shared_lock lock(entry->mu);
  if (!entry->on_disk || entry->removed) return std::nullopt;
  return ChunkRecord{chunk_id, entry->version, entry->length};
}

Result<std::unique_ptr<ChunkImport>> ChunkStore::BeginImport(int64_t chunk_id, int64_t version) {
  if (chunk_id <= 0 || version <= 0) {
    return Status::InvalidArgument("chunk id and version must be positive");
  }
  size_t dir = kNoDir;
  if (std::shared_ptr<ChunkEntry> entry = Find(chunk_id)) {
    std::shared_lock lock(entry->mu);
    if (entry->on_disk && !entry->removed && !dir_failed_[entry->dir].load()) dir = entry->dir;
  }
  if (dir == kNoDir) {
    ASSIGN_OR_RETURN(dir, DirForNewChunk());
  }
  const std::string staging = data_dirs_[dir] + "/incoming/" +
                              Hex(static_cast<uint64_t>(chunk_id), 16) + "." +
                              std::to_string(next_import_++) + kImportSuffix;
  Result<std::unique_ptr<FileIo>> io = OpenPosixFile(staging, OpenMode::kCreateExclusive);
  if (!io.ok()) {
    if (io.status().code() == StatusCode::kIoError) TakeDirOutOfService(dir, io.status());
    return io.status();
  }
  Result<std::unique_ptr<ChunkFile>> file = ChunkFile::Create(std::move(*io), chunk_id, version);
  if (!file.ok()) {
    std::error_code ec;
    fs::remove(staging, ec);
    if (file.status().code() == StatusCode::kIoError) TakeDirOutOfService(dir, file.status());
    return file.status();
  }
  return std::unique_ptr<ChunkImport>(new ChunkImport(dir, staging, std::move(*file)));
}

Result<ImportOutcome> ChunkStore::CommitImport(std::unique_ptr<ChunkImport> import) {
  const size_t dir = import->dir_;
  Result<ImportOutcome> outcome = CommitImportInDir(std::move(import));
  // Only an I/O error says something about the dir; a corrupt copy is the source's fault.
  if (!outcome.ok() && outcome.status().code() == StatusCode::kIoError) {
    TakeDirOutOfService(dir, outcome.status());
  }
  return outcome;
}

Result<ImportOutcome> ChunkStore::CommitImportInDir(std::unique_ptr<ChunkImport> import) {
  // The slow part (fsync of up to 64 MiB) runs before any lock is taken.
  RETURN_IF_ERROR(import->SyncAndVerify());
  const ChunkRecord copied{import->chunk_id(), import->version(), import->length()};
  const int64_t chunk_id = copied.chunk_id;
  const size_t dir = import->dir_;
  const std::string path = ChunkPath(data_dirs_[dir], chunk_id);
  RETURN_IF_ERROR(MakeDurableChunkSubdir(path));
  for (;;) {
    std::shared_ptr<ChunkEntry> entry = FindOrInsert(chunk_id);
    std::unique_lock lock(entry->mu);
    if (entry->removed) continue;  // deleted meanwhile; a fresh entry is in the index
    const bool replacing = entry->on_disk;
    if (dir_failed_[dir].load()) {
      if (!replacing) {
        entry->removed = true;
        Erase(chunk_id, entry);
      }
      return Status::IoError("data dir " + data_dirs_[dir] +
                             " was taken out of service during the copy");
    }
    if (replacing && entry->version > copied.version) {
      return StaleVersionError(chunk_id, entry->version, "copy", copied.version);
    }
    if (replacing && entry->version == copied.version) {
      return ImportOutcome{{chunk_id, entry->version, entry->length}, false};
    }
    // Drops the entry (and reports the chunk gone when it had been reported).
    auto forget_entry = [&] {
      entry->on_disk = false;
      entry->removed = true;
      Erase(chunk_id, entry);
      if (replacing) RecordRemoved(chunk_id);
    };
    std::error_code ec;
    fs::rename(import->staging_path_, path, ec);
    if (ec) {
      if (!replacing) forget_entry();
      return FsError("cannot rename " + import->staging_path_ + " to " + path, ec);
    }
    import->committed_ = true;
    Status synced = SyncDirectory(fs::path(path).parent_path().string());
    if (!synced.ok()) {
      // The rename might not survive a crash: take the copy out rather than report it. When it
      // replaced an older version in the same directory, that one is gone too.
      fs::remove(path, ec);
      if (!replacing || entry->dir == dir) forget_entry();
      return synced;
    }
    const int64_t old_version = entry->version;
    if (replacing && entry->dir != dir) {
      // The older version lies in another data dir. A crash before this removal leaves both;
      // the start-up scan keeps the newer one and sets the other aside.
      const std::string old_path = ChunkPath(data_dirs_[entry->dir], chunk_id);
      fs::remove(old_path, ec);
      if (ec) {
        LOG(kWarning, kComponent) << "cannot remove replaced " << old_path << ": " << ec.message();
      }
    }
    entry->dir = dir;
    entry->version = copied.version;
    entry->length = copied.length;
    entry->on_disk = true;
    entry->entry_synced = true;
    {
      std::lock_guard index_lock(index_mu_);
      lost_.erase(chunk_id);  // back from a good copy
    }
    RecordAdded(copied);
    // The replicator logs each copy; a replaced version is worth a line of its own.
    if (replacing) {
      LOG(kInfo, kComponent) << "chunk " << chunk_id << " version " << old_version << " -> "
                             << copied.version << " (replaced by a copy)";
    }
    return ImportOutcome{copied, true};
  }
}

std::vector<ChunkRecord> ChunkStore::ListChunks() const {
  std::vector<std::pair<int64_t, std::shared_ptr<ChunkEntry>>> entries;
  {
    std::lock_guard lock(index_mu_);
    entries.assign(index_.begin(), index_.end());
  }
  std::vector<ChunkRecord> out;
  out.reserve(entries.size());
  for (auto& [chunk_id, entry] : entries) {
    std::shared_lock lock(entry->mu);
    if (entry->on_disk && !entry->removed) out.push_back({chunk_id, entry->version, entry->length});
  }
  return out;
}

int64_t ChunkStore::chunk_count() const {
  std::lock_guard lock(index_mu_);
  return static_cast<int64_t>(index_.size());
}

void ChunkStore::RecordAdded(const ChunkRecord& record) {
  std::lock_guard lock(changes_mu_);
  removed_.erase(record.chunk_id);
  added_[record.chunk_id] = record;
}

void ChunkStore::RecordRemoved(int64_t chunk_id) {
  std::lock_guard lock(changes_mu_);
  added_.erase(chunk_id);
  removed_.insert(chunk_id);
}

ChunkChanges ChunkStore::TakeChanges() {
  std::lock_guard lock(changes_mu_);
  ChunkChanges changes;
  for (auto& [id, record] : added_) changes.added.push_back(record);
  changes.removed.assign(removed_.begin(), removed_.end());
  added_.clear();
  removed_.clear();
  return changes;
}

SpaceStats ChunkStore::Space() const {
  SpaceStats stats;
  std::set<dev_t> counted;
  for (size_t i = 0; i < data_dirs_.size(); ++i) {
    const std::string& dir = data_dirs_[i];
    struct statvfs st {};
    struct stat dir_stat {};
    if (dir_failed_[i].load() || ::statvfs(dir.c_str(), &st) != 0 ||
        ::stat(dir.c_str(), &dir_stat) != 0) {
      ++stats.dirs_failed;
      continue;
    }
    ++stats.dirs_ok;
    if (!counted.insert(dir_stat.st_dev).second) continue;
    stats.total_bytes += static_cast<int64_t>(st.f_blocks) * static_cast<int64_t>(st.f_frsize);
    stats.free_bytes += static_cast<int64_t>(st.f_bavail) * static_cast<int64_t>(st.f_frsize);
  }
  return stats;
}

}  // namespace tessera
