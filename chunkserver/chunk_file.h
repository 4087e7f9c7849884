// One chunk on disk: a 16 KiB header followed by up to 64 MiB of data.
//
// Header (little-endian, zero-padded to 16384 bytes; data starts at file offset 16384):
//   off    0  magic "TSRCHUNK"            off   32  u64 length (bytes of data)
//   off    8  u32 format version (1)      off   40  u32 block size (65536)
//   off   12  u32 header size (16384)     off   44  u32 block count (1024)
//   off   16  u64 chunk id                off   48  u64 XXH3-64 per block, 1024 of them
//   off   24  u64 version                 off 8240  u64 XXH3-64 of header bytes [0, 8240)
// A block's checksum covers only its bytes below `length` (the last block is partial; blocks
// entirely past `length` hold the checksum of zero bytes).
//
// Crash behaviour: Write() puts the data first, then the header. A crash in between leaves
// blocks whose checksum no longer matches; reads of them fail with kCorruption rather than
// returning torn data.
//
// Thread-safety: Read() is const and may run concurrently with other Read() calls; Write() and
// Sync() need exclusive access (ChunkStore holds a per-chunk reader/writer lock).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "chunkserver/file_io.h"
#include "common/names.h"
#include "common/status.h"

namespace tessera {

inline constexpr int64_t kChunkHeaderSize = 16384;
inline constexpr int64_t kBlocksPerChunk = kChunkSize / kChecksumBlockSize;  // 1024

class ChunkFile {
 public:
  // Writes a fresh header (length 0) through `io`, which must be an empty file.
  static Result<std::unique_ptr<ChunkFile>> Create(std::unique_ptr<FileIo> io, int64_t chunk_id,
                                                   int64_t version);
  // Reads and validates the header; kCorruption says what is wrong (magic, sizes, chunk id,
  // header checksum). `expected_chunk_id` is the id the file name claims.
  static Result<std::unique_ptr<ChunkFile>> Open(std::unique_ptr<FileIo> io,
                                                 int64_t expected_chunk_id);

  int64_t chunk_id() const { return chunk_id_; }
  int64_t version() const { return version_; }
  int64_t length() const { return length_; }

  // Writes `data` at `offset` and stamps the header with `version`. Any offset with
  // offset + size <= 64 MiB is allowed; bytes between the old length and `offset` read as zeros.
  // Partial blocks are read and verified first, so a write never launders a corrupt block.
  Status Write(int64_t version, int64_t offset, std::span<const std::byte> data);
  // Bytes [offset, min(offset + length, this->length())), each covering block verified first.
  // kCorruption names the chunk and the first block that failed.
  Result<std::string> Read(int64_t offset, int64_t length) const;
  Status Sync();

 private:
  ChunkFile(std::unique_ptr<FileIo> io, int64_t chunk_id, int64_t version, int64_t length)
      : io_(std::move(io)), chunk_id_(chunk_id), version_(version), length_(length) {}

  std::string EncodeHeader() const;
  Status WriteHeader();
  // Verifies block `index` whose stored bytes are `bytes` (the part below length_).
  Status VerifyBlock(int64_t index, std::span<const std::byte> bytes) const;

  std::unique_ptr<FileIo> io_;
  int64_t chunk_id_;
  int64_t version_;
  int64_t length_;
  std::array<uint64_t, kBlocksPerChunk> checksums_{};
};

}  // namespace tessera
