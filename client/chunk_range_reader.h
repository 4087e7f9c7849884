// ChunkRangeReader: reads a byte range of a file from its chunks.
//
// The range is split by chunk and into RPCs of at most kMaxIoBytes. Chunk locations come from
// the ChunkLocationCache (filled from getChunks in batches). Holes, and bytes past a chunk's
// stored length, read as zeros: the caller bounds the range by the file size. When every
// replica of a chunk fails, the cached location is dropped and the chunk is located once more
// before the error is returned (the master may know newer replicas or a newer version).
//
// Thread-safety: stateless apart from the shared services; safe from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "client/client_services.h"

namespace tessera::client {

class ChunkRangeReader {
 public:
  ChunkRangeReader(const ClientServices& services, Caller caller, int64_t inode)
      : services_(services), caller_(std::move(caller)), inode_(inode) {}

  // Fills all of `out` with the bytes at `offset`. REQUIRES: offset >= 0.
  Status Read(int64_t offset, std::span<std::byte> out);

 private:
  Result<ChunkLocationCache::Entry> Locate(int64_t chunk_index);
  Status ReadFromChunk(int64_t chunk_index, int64_t chunk_offset, std::span<std::byte> out,
                       const std::string& request_id);

  const ClientServices& services_;
  const Caller caller_;
  const int64_t inode_;
};

}  // namespace tessera::client
