#include "chunkserver/chunk_file.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include "common/checksum.h"

namespace tessera {
namespace {

constexpr char kMagic[8] = {'T', 'S', 'R', 'C', 'H', 'U', 'N', 'K'};
constexpr uint32_t kFormatVersion = 1;
constexpr size_t kChecksumsOffset = 48;
constexpr size_t kHeaderChecksumOffset = kChecksumsOffset + 8 * kBlocksPerChunk;  // 8240
constexpr int64_t kBlock = kChecksumBlockSize;
// A write touching many blocks is written in pieces of this many blocks (4 MiB) so that a
// write far past the end (a long run of zeros) never needs a 64 MiB buffer.
constexpr int64_t kBlocksPerPiece = 64;

void PutU32(std::string& out, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) out[at + i] = static_cast<char>((v >> (8 * i)) & 0xff);
}
void PutU64(std::string& out, size_t at, uint64_t v) {
  for (int i = 0; i < 8; ++i) out[at + i] = static_cast<char>((v >> (8 * i)) & 0xff);
}
uint32_t GetU32(const std::string& in, size_t at) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= uint32_t{static_cast<uint8_t>(in[at + i])} << (8 * i);
  return v;
}
uint64_t GetU64(const std::string& in, size_t at) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= uint64_t{static_cast<uint8_t>(in[at + i])} << (8 * i);
  return v;
}

std::span<std::byte> AsBytes(std::string& s) {
  return {reinterpret_cast<std::byte*>(s.data()), s.size()};
}
std::span<const std::byte> AsBytes(const std::string& s) {
  return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}

uint64_t EmptyChecksum() { return Xxh3Checksum(nullptr, 0); }

// Writes of at least this many bytes bypass the page cache (FileIo::WriteAtDirect).
constexpr size_t kDirectWriteMinBytes = size_t{1} << 20;

struct FreeDeleter {
  void operator()(std::byte* p) const { std::free(p); }
};

// Writes whole blocks of chunk data. A large write goes around the page cache through an
// aligned copy, zero-padded to the alignment: the padding lies past the chunk's length, where
// nothing is ever read (a later write there rewrites its block first).
Status WriteWholeBlocks(FileIo& io, int64_t file_offset, std::span<const std::byte> data) {
  if (data.size() < kDirectWriteMinBytes || file_offset % kDirectIoAlignment != 0) {
    return io.WriteAt(file_offset, data);
  }
  const size_t padded = (data.size() + kDirectIoAlignment - 1) / kDirectIoAlignment *
                        kDirectIoAlignment;
  std::unique_ptr<std::byte, FreeDeleter> buffer(
      static_cast<std::byte*>(std::aligned_alloc(kDirectIoAlignment, padded)));
  if (buffer == nullptr) return io.WriteAt(file_offset, data);
  std::memcpy(buffer.get(), data.data(), data.size());
  std::memset(buffer.get() + data.size(), 0, padded - data.size());
  return io.WriteAtDirect(file_offset, {buffer.get(), padded});
}

}  // namespace

Result<std::unique_ptr<ChunkFile>> ChunkFile::Create(std::unique_ptr<FileIo> io, int64_t chunk_id,
                                                     int64_t version) {
  if (chunk_id <= 0 || version <= 0) {
    return Status::InvalidArgument("chunk id and version must be positive");
  }
  std::unique_ptr<ChunkFile> file(new ChunkFile(std::move(io), chunk_id, version, 0));
  file->checksums_.fill(EmptyChecksum());
  RETURN_IF_ERROR(file->WriteHeader());
  return file;
}

Result<std::unique_ptr<ChunkFile>> ChunkFile::Open(std::unique_ptr<FileIo> io,
                                                   int64_t expected_chunk_id) {
  std::string header(kChunkHeaderSize, '\0');
  ASSIGN_OR_RETURN(size_t n, io->ReadAt(0, AsBytes(header)));
  auto corrupt = [&](const std::string& what) {
    return Status::Corruption("chunk " + std::to_string(expected_chunk_id) + " header: " + what);
  };
  if (n != static_cast<size_t>(kChunkHeaderSize)) {
    return corrupt("truncated (" + std::to_string(n) + " of 16384 bytes)");
  }
  if (std::memcmp(header.data(), kMagic, sizeof(kMagic)) != 0) return corrupt("bad magic");
  if (GetU32(header, 8) != kFormatVersion) {
    return corrupt("unknown format version " + std::to_string(GetU32(header, 8)));
  }
  if (GetU32(header, 12) != kChunkHeaderSize) return corrupt("bad header size");
  if (GetU32(header, 40) != kBlock) return corrupt("bad block size");
  if (GetU32(header, 44) != kBlocksPerChunk) return corrupt("bad block count");
  uint64_t stored_checksum = GetU64(header, kHeaderChecksumOffset);
  if (Xxh3Checksum(header.data(), kHeaderChecksumOffset) != stored_checksum) {
    return corrupt("header checksum mismatch");
  }
  auto chunk_id = static_cast<int64_t>(GetU64(header, 16));
  auto version = static_cast<int64_t>(GetU64(header, 24));
  auto length = static_cast<int64_t>(GetU64(header, 32));
  if (chunk_id != expected_chunk_id) {
    return corrupt("holds chunk id " + std::to_string(chunk_id));
  }
  if (version <= 0) return corrupt("bad version " + std::to_string(version));
  if (length < 0 || length > kChunkSize) return corrupt("bad length " + std::to_string(length));
  std::unique_ptr<ChunkFile> file(new ChunkFile(std::move(io), chunk_id, version, length));
  for (int64_t i = 0; i < kBlocksPerChunk; ++i) {
    file->checksums_[i] = GetU64(header, kChecksumsOffset + 8 * i);
  }
  return file;
}

std::string ChunkFile::EncodeHeader() const {
  // Always the full 16 KiB, so that a chunk with no data still has a complete header on disk.
  std::string header(kChunkHeaderSize, '\0');
  std::memcpy(header.data(), kMagic, sizeof(kMagic));
  PutU32(header, 8, kFormatVersion);
  PutU32(header, 12, kChunkHeaderSize);
  PutU64(header, 16, static_cast<uint64_t>(chunk_id_));
  PutU64(header, 24, static_cast<uint64_t>(version_));
  PutU64(header, 32, static_cast<uint64_t>(length_));
  PutU32(header, 40, kBlock);
  PutU32(header, 44, kBlocksPerChunk);
  for (int64_t i = 0; i < kBlocksPerChunk; ++i) {
    PutU64(header, kChecksumsOffset + 8 * i, checksums_[i]);
  }
  PutU64(header, kHeaderChecksumOffset, Xxh3Checksum(header.data(), kHeaderChecksumOffset));
  return header;
}

Status ChunkFile::WriteHeader() { return io_->WriteAt(0, AsBytes(EncodeHeader())); }

Status ChunkFile::VerifyBlock(int64_t index, std::span<const std::byte> bytes) const {
  if (Xxh3Checksum(bytes) != checksums_[index]) {
    return Status::Corruption("chunk " + std::to_string(chunk_id_) + " block " +
                              std::to_string(index) + " checksum mismatch");
  }
  return Status::Ok();
}

Status ChunkFile::Write(int64_t version, int64_t offset, std::span<const std::byte> data) {
  const auto size = static_cast<int64_t>(data.size());
  if (version <= 0) return Status::InvalidArgument("version must be positive");
  if (offset < 0 || size > kChunkSize || offset > kChunkSize - size) {
    return Status::InvalidArgument("write [" + std::to_string(offset) + ", +" +
                                   std::to_string(size) + ") is outside the 64 MiB chunk");
  }
  const int64_t old_length = length_;
  const int64_t write_end = offset + size;
  const int64_t new_length = std::max(old_length, write_end);
  std::array<uint64_t, kBlocksPerChunk> new_checksums = checksums_;

  if (size > 0 && offset % kBlock == 0 && offset <= old_length &&
      (write_end % kBlock == 0 || write_end >= old_length)) {
    // Whole-block write (the sequential case): no old byte survives in any block it touches and
    // no zero gap precedes it, so checksum the caller's bytes and write them as they are,
    // without merging them into a copy first.
    for (int64_t block_begin = offset; block_begin < write_end; block_begin += kBlock) {
      const int64_t block_end = std::min(block_begin + kBlock, write_end);
      new_checksums[block_begin / kBlock] =
          Xxh3Checksum(data.data() + (block_begin - offset), block_end - block_begin);
    }
    RETURN_IF_ERROR(WriteWholeBlocks(*io_, kChunkHeaderSize + offset, data));
  } else if (size > 0) {
    // Bytes whose block content changes: the written range plus any zero gap before it.
    const int64_t change_begin = std::min(offset, old_length);
    const int64_t first_block = change_begin / kBlock;
    const int64_t last_block = (write_end - 1) / kBlock;
    std::string piece;
    for (int64_t piece_first = first_block; piece_first <= last_block;
         piece_first += kBlocksPerPiece) {
      const int64_t piece_last = std::min(last_block, piece_first + kBlocksPerPiece - 1);
      const int64_t piece_begin = piece_first * kBlock;
      const int64_t piece_end = std::min((piece_last + 1) * kBlock, new_length);
      piece.assign(piece_end - piece_begin, '\0');
      for (int64_t b = piece_first; b <= piece_last; ++b) {
        const int64_t block_begin = b * kBlock;
        const int64_t block_end = std::min(block_begin + kBlock, new_length);
        const int64_t old_end = std::clamp(old_length, block_begin, block_begin + kBlock);
        const bool old_bytes_survive =
            old_end > block_begin && !(offset <= block_begin && write_end >= old_end);
        std::byte* block_buf = reinterpret_cast<std::byte*>(piece.data()) +
                               (block_begin - piece_begin);
        if (old_bytes_survive) {
          std::span<std::byte> old_bytes(block_buf, old_end - block_begin);
          ASSIGN_OR_RETURN(size_t n, io_->ReadAt(kChunkHeaderSize + block_begin, old_bytes));
          // A short read leaves zeros, which the checksum then rejects.
          (void)n;
          RETURN_IF_ERROR(VerifyBlock(b, old_bytes));
        }
        const int64_t copy_begin = std::max(block_begin, offset);
        const int64_t copy_end = std::min(block_end, write_end);
        if (copy_end > copy_begin) {
          std::memcpy(block_buf + (copy_begin - block_begin), data.data() + (copy_begin - offset),
                      copy_end - copy_begin);
        }
        new_checksums[b] = Xxh3Checksum(block_buf, block_end - block_begin);
      }
      RETURN_IF_ERROR(io_->WriteAt(kChunkHeaderSize + piece_begin, AsBytes(piece)));
    }
  }

  const int64_t old_version = version_;
  const std::array<uint64_t, kBlocksPerChunk> old_checksums = checksums_;
  version_ = version;
  length_ = new_length;
  checksums_ = new_checksums;
  Status header = WriteHeader();
  if (!header.ok()) {
    version_ = old_version;
    length_ = old_length;
    checksums_ = old_checksums;
  }
  return header;
}

Result<std::string> ChunkFile::Read(int64_t offset, int64_t length) const {
  if (offset < 0 || length < 0) return Status::InvalidArgument("negative read offset or length");
  if (offset >= length_) return std::string();  // also keeps offset + length from overflowing
  const int64_t end = std::min(offset + std::min(length, kChunkSize), length_);
  if (offset >= end) return std::string();
  const int64_t first_block = offset / kBlock;
  const int64_t last_block = (end - 1) / kBlock;
  const int64_t read_begin = first_block * kBlock;
  const int64_t read_end = std::min((last_block + 1) * kBlock, length_);
  std::string buf(read_end - read_begin, '\0');
  ASSIGN_OR_RETURN(size_t n, io_->ReadAt(kChunkHeaderSize + read_begin, AsBytes(buf)));
  (void)n;  // a short read leaves zeros, which the checksums then reject
  for (int64_t b = first_block; b <= last_block; ++b) {
    const int64_t block_begin = b * kBlock;
    const int64_t block_end = std::min(block_begin + kBlock, length_);
    RETURN_IF_ERROR(VerifyBlock(
        b, AsBytes(buf).subspan(block_begin - read_begin, block_end - block_begin)));
  }
  buf.erase(0, offset - read_begin);
  buf.resize(end - offset);
  return buf;
}

Status ChunkFile::Sync() { return io_->Sync(); }

}  // namespace tessera
