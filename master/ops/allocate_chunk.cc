// Adds a chunk record to a regular file. When the index is taken already (two writers raced to
// allocate it) the existing chunk is returned unchanged and chunk_created is false.
#include "common/names.h"
#include "master/ops/ops.h"

namespace tessera::master {

Result<ApplyResult> ApplyAllocateChunk(OpContext& op,
                                       const master_state::AllocateChunkCommand& command) {
  RETURN_IF_ERROR(CheckInodeNumber(command.inode));
  if (command.chunk_index < 0 || command.chunk_index >= kMaxFileSize / kChunkSize) {
    return Status::InvalidArgument("chunk index " + std::to_string(command.chunk_index) +
                                   " out of range");
  }
  if (command.chunk_id <= 0 || command.version <= 0) {
    return Status::InvalidArgument("chunk id and version must be > 0");
  }
  ASSIGN_OR_RETURN(InodeRecord record, op.RequireInode(command.inode));
  if (record.type == rpc::FileType::DIRECTORY) {
    return Status::IsDirectory("inode " + std::to_string(record.inode) + " is a directory");
  }
  if (record.type != rpc::FileType::REGULAR) {
    return Status::InvalidArgument("inode " + std::to_string(record.inode) + " is not a file");
  }
  ApplyResult result;
  ASSIGN_OR_RETURN(auto existing, op.store().GetChunk(command.inode, command.chunk_index));
  if (existing) {
    result.chunk = *existing;
    return result;
  }
  if (command.chunk_id < op.counters().next_chunk_id) {
    // Only a proposer bug gets here: chunk ids are never reused.
    return Status::Internal("chunk id " + std::to_string(command.chunk_id) + " was handed out");
  }
  ChunkRecord chunk;
  chunk.chunk_id = command.chunk_id;
  chunk.version = command.version;
  op.PutChunk(command.inode, command.chunk_index, chunk);
  op.counters().next_chunk_id = command.chunk_id + 1;
  ++op.counters().chunk_count;
  result.chunk = chunk;
  result.chunk_created = true;
  return result;
}

}  // namespace tessera::master
