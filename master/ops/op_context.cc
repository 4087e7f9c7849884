#include "master/ops/op_context.h"

#include <string>

#include "master/keys.h"

namespace tessera::master {

namespace {

std::string EncodeCounter(int64_t value) {
  std::string bytes;
  AppendBigEndian64(&bytes, static_cast<uint64_t>(value));
  return bytes;
}

}  // namespace

Result<InodeRecord> OpContext::RequireInode(int64_t inode) const {
  ASSIGN_OR_RETURN(auto record, store_.GetInode(inode));
  if (!record) return Status::NotFound("no inode " + std::to_string(inode));
  return *std::move(record);
}

Result<InodeRecord> OpContext::RequireDirectory(int64_t inode) const {
  ASSIGN_OR_RETURN(InodeRecord record, RequireInode(inode));
  if (record.type != rpc::FileType::DIRECTORY) {
    return Status::NotDirectory("inode " + std::to_string(inode) + " is not a directory");
  }
  return record;
}

Result<DentryRecord> OpContext::RequireDentry(int64_t parent, std::string_view name) const {
  ASSIGN_OR_RETURN(auto record, store_.GetDentry(parent, name));
  if (!record) {
    return Status::NotFound("no entry '" + std::string(name) + "' in inode " +
                            std::to_string(parent));
  }
  return *std::move(record);
}

void OpContext::PutInode(const InodeRecord& record) {
  batch_.Put(InodeKey(record.inode), EncodeInode(record));
}

void OpContext::AddInode(const InodeRecord& record) {
  PutInode(record);
  ++counters_.inode_count;
  if (record.inode >= counters_.next_inode) counters_.next_inode = record.inode + 1;
}

void OpContext::PutDentry(int64_t parent, std::string_view name, const DentryRecord& record) {
  batch_.Put(DentryKey(parent, name), EncodeDentry(record));
}

void OpContext::DeleteDentry(int64_t parent, std::string_view name) {
  batch_.Delete(DentryKey(parent, name));
}

void OpContext::PutChunk(int64_t inode, int64_t chunk_index, const ChunkRecord& record) {
  batch_.Put(ChunkKey(inode, chunk_index), EncodeChunk(record));
}

Result<std::vector<int64_t>> OpContext::RemoveChunksFrom(int64_t inode, int64_t first_index) {
  ASSIGN_OR_RETURN(auto chunks, store_.ListChunks(inode, first_index, INT64_MAX));
  std::vector<int64_t> freed;
  for (const IndexedChunk& chunk : chunks) {
    batch_.Delete(ChunkKey(inode, chunk.chunk_index));
    freed.push_back(chunk.chunk.chunk_id);
  }
  counters_.chunk_count -= static_cast<int64_t>(freed.size());
  return freed;
}

void OpContext::PutXattr(int64_t inode, std::string_view name, std::string_view value) {
  batch_.Put(XattrKey(inode, name), leveldb::Slice(value.data(), value.size()));
}

void OpContext::DeleteXattr(int64_t inode, std::string_view name) {
  batch_.Delete(XattrKey(inode, name));
}

void OpContext::PutUnlinkedInode(const UnlinkedInodeRecord& record) {
  batch_.Put(UnlinkedInodeKey(record.inode), EncodeUnlinkedInode(record));
}

void OpContext::DeleteUnlinkedInode(int64_t inode) { batch_.Delete(UnlinkedInodeKey(inode)); }

Result<std::vector<int64_t>> OpContext::RemoveInode(const InodeRecord& record) {
  ASSIGN_OR_RETURN(std::vector<int64_t> freed, RemoveChunksFrom(record.inode, 0));
  ASSIGN_OR_RETURN(std::vector<NamedXattr> xattrs, store_.ListXattrs(record.inode));
  for (const NamedXattr& xattr : xattrs) DeleteXattr(record.inode, xattr.name);
  batch_.Delete(InodeKey(record.inode));
  --counters_.inode_count;
  return freed;
}

void OpContext::FinishBatch(int64_t applied_index) {
  counters_.applied_index = applied_index;
  batch_.Put(std::string(kAppliedIndexKey), EncodeCounter(counters_.applied_index));
  batch_.Put(std::string(kNextInodeKey), EncodeCounter(counters_.next_inode));
  batch_.Put(std::string(kNextChunkIdKey), EncodeCounter(counters_.next_chunk_id));
  batch_.Put(std::string(kInodeCountKey), EncodeCounter(counters_.inode_count));
  batch_.Put(std::string(kChunkCountKey), EncodeCounter(counters_.chunk_count));
}

void OpContext::DiscardChanges(const MetaCounters& original) {
  batch_.Clear();
  counters_ = original;
}

void TouchDirectory(InodeRecord* dir, int64_t time_ns) {
  dir->mtime_ns = time_ns;
  dir->ctime_ns = time_ns;
}

}  // namespace tessera::master
