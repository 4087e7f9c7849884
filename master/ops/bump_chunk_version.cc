// Gives an existing chunk a new version, so that replicas of the old one count as stale. Applies
// only while the chunk is still the one the proposer saw (same id and version): two leaders'
// or two writers' bumps cannot both take effect, and a chunk replaced meanwhile is left alone.
#include "master/ops/ops.h"

namespace tessera::master {

Result<ApplyResult> ApplyBumpChunkVersion(
    OpContext& op, const master_state::BumpChunkVersionCommand& command) {
  RETURN_IF_ERROR(CheckInodeNumber(command.inode));
  if (command.chunk_index < 0 || command.chunk_id <= 0 || command.from_version <= 0 ||
      command.to_version <= command.from_version) {
    return Status::InvalidArgument("bump_chunk_version needs index >= 0, id > 0 and "
                                   "0 < from_version < to_version");
  }
  ASSIGN_OR_RETURN(auto existing, op.store().GetChunk(command.inode, command.chunk_index));
  if (!existing) {
    return Status::NotFound("inode " + std::to_string(command.inode) + " has no chunk " +
                            std::to_string(command.chunk_index));
  }
  if (existing->chunk_id != command.chunk_id || existing->version != command.from_version) {
    return Status::StaleVersion("chunk " + std::to_string(command.chunk_index) + " of inode " +
                                std::to_string(command.inode) + " changed meanwhile");
  }
  ChunkRecord chunk = *existing;
  chunk.version = command.to_version;
  op.PutChunk(command.inode, command.chunk_index, chunk);
  ApplyResult result;
  result.chunk = chunk;
  return result;
}

}  // namespace tessera::master
