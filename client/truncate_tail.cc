#include "client/truncate_tail.h"

#include <algorithm>
#include <string>
#include <vector>

#include "common/logging.h"
#include "common/names.h"

namespace tessera::client {

Status ZeroCutChunkTail(const ClientServices& services, const Caller& caller, int64_t inode,
                        int64_t old_size, int64_t new_size) {
  if (new_size <= 0 || new_size >= old_size || new_size % kChunkSize == 0) return Status::Ok();
  const int64_t chunk_index = new_size / kChunkSize;
  const int64_t chunk_start = chunk_index * kChunkSize;
  const int64_t zero_end = std::min(old_size, chunk_start + kChunkSize);
  ASSIGN_OR_RETURN(std::vector<rpc::ChunkInfo> existing,
                   services.master.GetChunks(caller, inode, chunk_index, 1));
  if (existing.empty()) return Status::Ok();  // a hole reads as zeros already
  ASSIGN_OR_RETURN(rpc::ChunkInfo chain, services.master.PrepareWrite(caller, inode, chunk_index));
  const std::string request_id = services.request_ids.Next();
  const int64_t piece_bytes = services.options.write_piece_bytes;
  for (int64_t offset = new_size; offset < zero_end; offset += piece_bytes) {
    std::string zeros(static_cast<size_t>(std::min(piece_bytes, zero_end - offset)), '\0');
    // Synced: the zeros must be durable before the size moves, or a crash could bring the cut
    // bytes back after the truncate was acknowledged.
    Status written = services.chunks.Write(chain, offset - chunk_start, zeros, true, request_id);
    if (written.code() == StatusCode::kStaleVersion) {
      // The chunk took a new version (re-replication) since the chain was given: once more on
      // the chain the master gives now.
      ASSIGN_OR_RETURN(chain, services.master.PrepareWrite(caller, inode, chunk_index));
      written = services.chunks.Write(chain, offset - chunk_start, zeros, true, request_id);
    }
    RETURN_IF_ERROR(written);
  }
  LOG_REQ(kDebug, "client", request_id)
      << "inode " << inode << ": zeroed [" << new_size << ", " << zero_end
      << ") of chunk " << chunk_index << " before the truncate";
  return Status::Ok();
}

}  // namespace tessera::client
