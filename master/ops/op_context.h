// The working state of one command being applied: reads from the store, writes into one
// leveldb::WriteBatch, and a copy of the meta counters.
//
// Not thread-safe; lives for one Apply call, which the state machine serializes. Writes are not
// visible to reads through this context (LevelDB batches are write-only), so an operation loads
// every record it changes first and writes each once at the end.
#pragma once

#include <leveldb/write_batch.h>

#include <cstdint>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "master/meta_store.h"
#include "master/records.h"

namespace tessera::master {

class OpContext {
 public:
  OpContext(const MetaStore& store, MetaCounters counters) : store_(store), counters_(counters) {}

  const MetaStore& store() const { return store_; }
  MetaCounters& counters() { return counters_; }
  leveldb::WriteBatch* batch() { return &batch_; }

  // NotFound when missing.
  Result<InodeRecord> RequireInode(int64_t inode) const;
  // NotFound when missing, NotDirectory when not a directory.
  Result<InodeRecord> RequireDirectory(int64_t inode) const;
  // NotFound when `parent` has no entry `name`.
  Result<DentryRecord> RequireDentry(int64_t parent, std::string_view name) const;

  void PutInode(const InodeRecord& record);
  // A new inode: written and counted.
  void AddInode(const InodeRecord& record);
  void PutDentry(int64_t parent, std::string_view name, const DentryRecord& record);
  void DeleteDentry(int64_t parent, std::string_view name);
  void PutChunk(int64_t inode, int64_t chunk_index, const ChunkRecord& record);

  // Deletes the chunk records of `inode` with index >= first_index; returns their chunk ids.
  Result<std::vector<int64_t>> RemoveChunksFrom(int64_t inode, int64_t first_index);
  void PutXattr(int64_t inode, std::string_view name, std::string_view value);
  void DeleteXattr(int64_t inode, std::string_view name);

  // Records that `inode` has lost its last name but is kept for mounts that hold it open.
  void PutUnlinkedInode(const UnlinkedInodeRecord& record);
  void DeleteUnlinkedInode(int64_t inode);

  // Deletes the inode record, all its chunks and its extended attributes; returns the freed
  // chunk ids.
  Result<std::vector<int64_t>> RemoveInode(const InodeRecord& record);

  // Writes the counters and the applied index into the batch.
  void FinishBatch(int64_t applied_index);
  // Drops every change (a command that failed validation still advances the applied index).
  void DiscardChanges(const MetaCounters& original);

 private:
  const MetaStore& store_;
  MetaCounters counters_;
  leveldb::WriteBatch batch_;
};

// An entry's modification of its directory: mtime = ctime = time_ns.
void TouchDirectory(InodeRecord* dir, int64_t time_ns);

}  // namespace tessera::master
