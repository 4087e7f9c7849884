#include "client/chunk_range_reader.h"

#include <algorithm>
#include <cstring>

#include "common/logging.h"
#include "common/names.h"

namespace tessera::client {
namespace {
// Chunks located per getChunks call: a sequential reader needs one call per 512 MiB.
constexpr int32_t kLocateBatch = 8;
}  // namespace

Result<ChunkLocationCache::Entry> ChunkRangeReader::Locate(int64_t chunk_index) {
  if (auto cached = services_.locations.Get(inode_, chunk_index)) return *cached;
  ASSIGN_OR_RETURN(std::vector<rpc::ChunkInfo> chunks,
                   services_.master.GetChunks(caller_, inode_, chunk_index, kLocateBatch));
  ChunkLocationCache::Entry wanted;
  std::vector<bool> present(kLocateBatch, false);
  for (auto& chunk : chunks) {
    int64_t slot = chunk.chunk_index - chunk_index;
    if (slot < 0 || slot >= kLocateBatch) continue;  // not what we asked for; ignore
    present[slot] = true;
    if (slot == 0) wanted = chunk;
    services_.locations.Put(inode_, chunk.chunk_index, std::move(chunk));
  }
  for (int32_t slot = 0; slot < kLocateBatch; ++slot) {
    if (!present[slot]) services_.locations.Put(inode_, chunk_index + slot, std::nullopt);
  }
  return wanted;
}

Status ChunkRangeReader::ReadFromChunk(int64_t chunk_index, int64_t chunk_offset,
                                       std::span<std::byte> out, const std::string& request_id) {
  ASSIGN_OR_RETURN(ChunkLocationCache::Entry entry, Locate(chunk_index));
  if (!entry) {
    std::memset(out.data(), 0, out.size());
    return Status::Ok();
  }
  size_t done = 0;
  while (done < out.size()) {
    auto length = static_cast<int32_t>(std::min<size_t>(out.size() - done, kMaxIoBytes));
    int64_t position = chunk_offset + static_cast<int64_t>(done);
    ASSIGN_OR_RETURN(std::string data, services_.chunks.Read(*entry, position, length, request_id));
    // ChunkClient never returns more than asked; the clamp only spells that out.
    const size_t got = std::min(data.size(), static_cast<size_t>(length));
    std::memcpy(out.data() + done, data.data(), got);
    if (got < static_cast<size_t>(length)) {
      // Past the chunk's stored length: the rest of this chunk, up to the file size, is zeros.
      std::memset(out.data() + done + got, 0, out.size() - done - got);
      return Status::Ok();
    }
    done += got;
  }
  return Status::Ok();
}

Status ChunkRangeReader::Read(int64_t offset, std::span<std::byte> out) {
  const std::string request_id = services_.request_ids.Next();
  size_t done = 0;
  while (done < out.size()) {
    int64_t position = offset + static_cast<int64_t>(done);
    int64_t chunk_index = position / kChunkSize;
    int64_t chunk_offset = position % kChunkSize;
    size_t length = static_cast<size_t>(
        std::min<int64_t>(static_cast<int64_t>(out.size() - done), kChunkSize - chunk_offset));
    auto part = out.subspan(done, length);
    Status status = ReadFromChunk(chunk_index, chunk_offset, part, request_id);
    if (!status.ok() && status.code() != StatusCode::kPermissionDenied) {
      LOG_REQ(kInfo, "client", request_id)
          << "read of inode " << inode_ << " chunk " << chunk_index << " failed ("
          << status.ToString() << "); locating the chunk again and retrying once";
      services_.locations.Erase(inode_, chunk_index);
      status = ReadFromChunk(chunk_index, chunk_offset, part, request_id);
      if (!status.ok()) services_.locations.Erase(inode_, chunk_index);
    }
    RETURN_IF_ERROR(status);
    done += length;
  }
  return Status::Ok();
}

}  // namespace tessera::client
