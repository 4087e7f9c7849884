#include "master/meta_store.h"

#include <cstring>

#include "master/keys.h"

namespace tessera::master {

Status FromLevelDb(const leveldb::Status& status, std::string_view what) {
  if (status.ok()) return Status::Ok();
  if (status.IsCorruption())
    return Status::Corruption(std::string(what) + ": " + status.ToString());
  return Status::IoError(std::string(what) + ": " + status.ToString());
}

std::unique_ptr<leveldb::Iterator> MetaStoreView::NewIterator() const {
  leveldb::ReadOptions options;
  options.snapshot = snapshot_;
  return std::unique_ptr<leveldb::Iterator>(db_->NewIterator(options));
}

namespace {

bool StartsWith(const leveldb::Slice& key, const std::string& prefix) {
  return key.size() >= prefix.size() && std::memcmp(key.data(), prefix.data(), prefix.size()) == 0;
}

std::string_view View(const leveldb::Slice& slice) { return {slice.data(), slice.size()}; }

}  // namespace

Result<std::unique_ptr<MetaStore>> MetaStore::Open(const std::string& path, Options options) {
  leveldb::Options db_options;
  db_options.create_if_missing = true;
  db_options.paranoid_checks = true;
  leveldb::DB* raw = nullptr;
  RETURN_IF_ERROR(FromLevelDb(leveldb::DB::Open(db_options, path, &raw), "open " + path));
  return std::unique_ptr<MetaStore>(new MetaStore(std::unique_ptr<leveldb::DB>(raw), options));
}

Result<std::optional<std::string>> MetaStore::GetRaw(const std::string& key) const {
  std::string value;
  leveldb::Status status = db_->Get(leveldb::ReadOptions(), key, &value);
  if (status.IsNotFound()) return std::optional<std::string>();
  RETURN_IF_ERROR(FromLevelDb(status, "read"));
  return std::optional<std::string>(std::move(value));
}

Result<std::optional<InodeRecord>> MetaStore::GetInode(int64_t inode) const {
  ASSIGN_OR_RETURN(auto raw, GetRaw(InodeKey(inode)));
  if (!raw) return std::optional<InodeRecord>();
  ASSIGN_OR_RETURN(InodeRecord record, DecodeInode(*raw));
  if (record.inode != inode) return Status::Corruption("inode key and record disagree");
  return std::optional<InodeRecord>(std::move(record));
}

Result<std::optional<DentryRecord>> MetaStore::GetDentry(int64_t parent,
                                                         std::string_view name) const {
  ASSIGN_OR_RETURN(auto raw, GetRaw(DentryKey(parent, name)));
  if (!raw) return std::optional<DentryRecord>();
  ASSIGN_OR_RETURN(DentryRecord record, DecodeDentry(*raw));
  return std::optional<DentryRecord>(std::move(record));
}

Result<std::optional<ChunkRecord>> MetaStore::GetChunk(int64_t inode, int64_t chunk_index) const {
  ASSIGN_OR_RETURN(auto raw, GetRaw(ChunkKey(inode, chunk_index)));
  if (!raw) return std::optional<ChunkRecord>();
  ASSIGN_OR_RETURN(ChunkRecord record, DecodeChunk(*raw));
  return std::optional<ChunkRecord>(std::move(record));
}

Result<std::optional<SessionRecord>> MetaStore::GetSession(int64_t client_id) const {
  ASSIGN_OR_RETURN(auto raw, GetRaw(SessionKey(client_id)));
  if (!raw) return std::optional<SessionRecord>();
  ASSIGN_OR_RETURN(SessionRecord record, DecodeSession(*raw));
  return std::optional<SessionRecord>(std::move(record));
}

Result<std::optional<DrainingServerRecord>> MetaStore::GetDrainingServer(
    int64_t server_id) const {
  ASSIGN_OR_RETURN(auto raw, GetRaw(DrainingServerKey(server_id)));
  if (!raw) return std::optional<DrainingServerRecord>();
  ASSIGN_OR_RETURN(DrainingServerRecord record, DecodeDrainingServer(*raw));
  if (record.server_id != server_id) {
    return Status::Corruption("draining server key and record disagree");
  }
  return std::optional<DrainingServerRecord>(std::move(record));
}

Status MetaStore::ForEachWithPrefix(
    std::string_view prefix,
    const std::function<Status(std::string_view, std::string_view)>& visit) const {
  std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(leveldb::ReadOptions()));
  const std::string start(prefix);
  for (it->Seek(start); it->Valid() && StartsWith(it->key(), start); it->Next()) {
    RETURN_IF_ERROR(visit(View(it->key()), View(it->value())));
  }
  return FromLevelDb(it->status(), "prefix scan");
}

Result<std::optional<std::string>> MetaStore::GetValue(std::string_view key) const {
  return GetRaw(std::string(key));
}

Result<std::vector<DrainingServerRecord>> MetaStore::ListDrainingServers() const {
  const std::string prefix(kDrainingServerPrefix);
  std::vector<DrainingServerRecord> servers;
  std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(leveldb::ReadOptions()));
  for (it->Seek(prefix); it->Valid() && StartsWith(it->key(), prefix); it->Next()) {
    if (it->key().size() != prefix.size() + 8) {
      return Status::Corruption("malformed draining server key");
    }
    ASSIGN_OR_RETURN(DrainingServerRecord record, DecodeDrainingServer(View(it->value())));
    servers.push_back(std::move(record));
  }
  RETURN_IF_ERROR(FromLevelDb(it->status(), "list draining servers"));
  return servers;
}

Result<std::optional<BalanceRecord>> MetaStore::GetBalance() const {
  ASSIGN_OR_RETURN(auto raw, GetRaw(std::string(kBalanceKey)));
  if (!raw) return std::optional<BalanceRecord>();
  ASSIGN_OR_RETURN(BalanceRecord record, DecodeBalance(*raw));
  return std::optional<BalanceRecord>(std::move(record));
}

Result<std::optional<UnlinkedInodeRecord>> MetaStore::GetUnlinkedInode(int64_t inode) const {
  ASSIGN_OR_RETURN(auto raw, GetRaw(UnlinkedInodeKey(inode)));
  if (!raw) return std::optional<UnlinkedInodeRecord>();
  ASSIGN_OR_RETURN(UnlinkedInodeRecord record, DecodeUnlinkedInode(*raw));
  if (record.inode != inode) return Status::Corruption("unlinked inode key and record disagree");
  return std::optional<UnlinkedInodeRecord>(std::move(record));
}

Result<std::vector<UnlinkedInodeRecord>> MetaStore::ListUnlinkedInodes() const {
  const std::string prefix(kUnlinkedInodePrefix);
  std::vector<UnlinkedInodeRecord> inodes;
  std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(leveldb::ReadOptions()));
  for (it->Seek(prefix); it->Valid() && StartsWith(it->key(), prefix); it->Next()) {
    if (it->key().size() != prefix.size() + 8) {
      return Status::Corruption("malformed unlinked inode key");
    }
    ASSIGN_OR_RETURN(UnlinkedInodeRecord record, DecodeUnlinkedInode(View(it->value())));
    inodes.push_back(std::move(record));
  }
  RETURN_IF_ERROR(FromLevelDb(it->status(), "list unlinked inodes"));
  return inodes;
}

Result<bool> MetaStore::HasDentries(int64_t parent) const {
  std::string prefix = DentryPrefix(parent);
  std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(leveldb::ReadOptions()));
  it->Seek(prefix);
  bool found = it->Valid() && StartsWith(it->key(), prefix);
  RETURN_IF_ERROR(FromLevelDb(it->status(), "scan directory"));
  return found;
}

Result<std::vector<NamedDentry>> MetaStore::ListDentries(int64_t parent,
                                                         std::string_view after_name,
                                                         int max_entries, bool* eof) const {
  std::string prefix = DentryPrefix(parent);
  std::vector<NamedDentry> entries;
  std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(leveldb::ReadOptions()));
  it->Seek(DentryKey(parent, after_name));
  // Seek lands on `after_name` itself when it exists; the listing resumes after it.
  if (!after_name.empty() && it->Valid() && View(it->key()) == DentryKey(parent, after_name)) {
    it->Next();
  }
  *eof = true;
  for (; it->Valid() && StartsWith(it->key(), prefix); it->Next()) {
    if (static_cast<int>(entries.size()) == max_entries) {
      *eof = false;
      break;
    }
    ASSIGN_OR_RETURN(DentryRecord dentry, DecodeDentry(View(it->value())));
    entries.push_back({std::string(View(it->key()).substr(prefix.size())), std::move(dentry)});
  }
  RETURN_IF_ERROR(FromLevelDb(it->status(), "list directory"));
  return entries;
}

Result<std::vector<IndexedChunk>> MetaStore::ListChunks(int64_t inode, int64_t first_index,
                                                        int64_t end_index) const {
  std::string prefix = ChunkPrefix(inode);
  std::vector<IndexedChunk> chunks;
  std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(leveldb::ReadOptions()));
  for (it->Seek(ChunkKey(inode, first_index)); it->Valid() && StartsWith(it->key(), prefix);
       it->Next()) {
    std::string_view key = View(it->key());
    if (key.size() != prefix.size() + 8) return Status::Corruption("malformed chunk key");
    auto chunk_index = static_cast<int64_t>(ReadBigEndian64(key.substr(prefix.size())));
    if (chunk_index >= end_index) break;
    ASSIGN_OR_RETURN(ChunkRecord chunk, DecodeChunk(View(it->value())));
    chunks.push_back({chunk_index, std::move(chunk)});
  }
  RETURN_IF_ERROR(FromLevelDb(it->status(), "list chunks"));
  return chunks;
}

Status MetaStore::ForEachChunk(
    const std::function<void(int64_t inode, int64_t chunk_index, const ChunkRecord&)>& visit)
    const {
  std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(leveldb::ReadOptions()));
  const std::string kChunkKeyPrefix = "C";  // see keys.h
  constexpr size_t kChunkKeyBytes = 1 + 8 + 8;
  for (it->Seek(kChunkKeyPrefix); it->Valid() && StartsWith(it->key(), kChunkKeyPrefix);
       it->Next()) {
    std::string_view key = View(it->key());
    if (key.size() != kChunkKeyBytes) return Status::Corruption("malformed chunk key");
    ASSIGN_OR_RETURN(ChunkRecord chunk, DecodeChunk(View(it->value())));
    visit(static_cast<int64_t>(ReadBigEndian64(key.substr(1))),
          static_cast<int64_t>(ReadBigEndian64(key.substr(9))), chunk);
  }
  return FromLevelDb(it->status(), "scan chunks");
}

Result<std::optional<std::string>> MetaStore::GetXattr(int64_t inode, std::string_view name) const {
  return GetRaw(XattrKey(inode, name));
}

Result<std::vector<NamedXattr>> MetaStore::ListXattrs(int64_t inode) const {
  const std::string prefix = XattrPrefix(inode);
  std::vector<NamedXattr> xattrs;
  std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(leveldb::ReadOptions()));
  for (it->Seek(prefix); it->Valid() && StartsWith(it->key(), prefix); it->Next()) {
    if (it->key().size() == prefix.size()) return Status::Corruption("xattr key without a name");
    xattrs.push_back(
        {std::string(View(it->key()).substr(prefix.size())), std::string(View(it->value()))});
  }
  RETURN_IF_ERROR(FromLevelDb(it->status(), "list xattrs"));
  return xattrs;
}

Result<MetaCounters> MetaStore::ReadCounters() const {
  MetaCounters counters;
  const std::pair<std::string_view, int64_t*> fields[] = {
      {kAppliedIndexKey, &counters.applied_index},
      {kNextInodeKey, &counters.next_inode},
      {kNextChunkIdKey, &counters.next_chunk_id},
      {kInodeCountKey, &counters.inode_count},
      {kChunkCountKey, &counters.chunk_count}};
  for (const auto& [key, field] : fields) {
    ASSIGN_OR_RETURN(auto raw, GetRaw(std::string(key)));
    if (!raw) continue;
    if (raw->size() != 8) return Status::Corruption("meta key " + std::string(key) + " malformed");
    *field = static_cast<int64_t>(ReadBigEndian64(*raw));
  }
  return counters;
}

Status MetaStore::Write(leveldb::WriteBatch* batch) {
  leveldb::WriteOptions write_options;
  write_options.sync = options_.sync_writes;
  return FromLevelDb(db_->Write(write_options, batch), "write");
}

Status MetaStore::Sync() {
  // LevelDB appends batches to its log in order, and a sync write fsyncs that log: an empty
  // synced batch therefore makes every earlier batch durable.
  leveldb::WriteBatch empty;
  leveldb::WriteOptions write_options;
  write_options.sync = true;
  return FromLevelDb(db_->Write(write_options, &empty), "sync");
}

std::unique_ptr<MetaStoreView> MetaStore::OpenView() const {
  return std::unique_ptr<MetaStoreView>(new MetaStoreView(db_.get()));
}

Status MetaStore::ForEach(
    const std::function<void(std::string_view, std::string_view)>& visit) const {
  std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(leveldb::ReadOptions()));
  for (it->SeekToFirst(); it->Valid(); it->Next()) visit(View(it->key()), View(it->value()));
  return FromLevelDb(it->status(), "scan");
}

}  // namespace tessera::master
