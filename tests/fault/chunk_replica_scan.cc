#include "tests/fault/chunk_replica_scan.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>

#include "tests/fault/chunk_test_files.h"

namespace tessera::fault {
namespace {

namespace fs = std::filesystem;

constexpr char kMagic[8] = {'T', 'S', 'R', 'C', 'H', 'U', 'N', 'K'};
constexpr size_t kChunkIdOffset = 16;
constexpr size_t kVersionOffset = 24;
constexpr size_t kLengthOffset = 32;
constexpr size_t kFieldsEnd = 40;
constexpr int64_t kReadPiece = int64_t{4} << 20;

int64_t LittleEndian64(const char* bytes) {
  uint64_t value = 0;
  for (int i = 7; i >= 0; --i) value = (value << 8) | static_cast<unsigned char>(bytes[i]);
  return static_cast<int64_t>(value);
}

// The id a "<16 lowercase hex>.chunk" name stands for, or -1.
int64_t ChunkIdFromName(const std::string& name) {
  constexpr size_t kHexDigits = 16;
  if (name.size() != kHexDigits + 6 || name.substr(kHexDigits) != ".chunk") return -1;
  uint64_t id = 0;
  for (size_t i = 0; i < kHexDigits; ++i) {
    const char c = name[i];
    int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (digit < 0) return -1;
    id = (id << 4) | static_cast<uint64_t>(digit);
  }
  return static_cast<int64_t>(id);
}

// Reads the header fields of one chunk file; nullopt when it vanished meanwhile.
std::optional<ChunkFileOnDisk> ReadChunkFile(const fs::path& path, int64_t chunk_id) {
  ChunkFileOnDisk file;
  file.path = path.string();
  file.chunk_id = chunk_id;
  std::ifstream in(path, std::ios::binary);
  std::error_code error;
  const uintmax_t bytes = fs::file_size(path, error);
  if (!in || error) return std::nullopt;
  file.file_bytes = static_cast<int64_t>(bytes);
  char header[kFieldsEnd];
  if (!in.read(header, sizeof(header))) return file;
  if (std::memcmp(header, kMagic, sizeof(kMagic)) != 0) return file;
  if (LittleEndian64(header + kChunkIdOffset) != chunk_id) return file;
  file.header_ok = true;
  file.version = LittleEndian64(header + kVersionOffset);
  file.length = LittleEndian64(header + kLengthOffset);
  return file;
}

}  // namespace

std::string ChunkIdHex(int64_t chunk_id) {
  char hex[17];
  std::snprintf(hex, sizeof(hex), "%016llx",
                static_cast<unsigned long long>(static_cast<uint64_t>(chunk_id)));
  return hex;
}

Result<std::vector<ChunkFileOnDisk>> ScanChunkFiles(const std::string& data_dir) {
  std::vector<ChunkFileOnDisk> files;
  const fs::path chunks = fs::path(data_dir) / "chunks";
  std::error_code error;
  if (!fs::exists(chunks, error)) return files;
  // Deletions race with the walk; skip_permission_denied does not cover that, so errors of
  // single entries are ignored and only a failure to open the top directory counts.
  fs::recursive_directory_iterator walk(chunks, error);
  if (error) return Status::IoError("cannot list " + chunks.string() + ": " + error.message());
  for (; walk != fs::recursive_directory_iterator(); walk.increment(error)) {
    if (error) break;
    if (!walk->is_regular_file(error)) continue;
    const int64_t id = ChunkIdFromName(walk->path().filename().string());
    if (id < 0) continue;
    std::optional<ChunkFileOnDisk> file = ReadChunkFile(walk->path(), id);
    if (file) files.push_back(std::move(*file));
  }
  std::sort(files.begin(), files.end(), [](const ChunkFileOnDisk& a, const ChunkFileOnDisk& b) {
    return a.chunk_id < b.chunk_id;
  });
  return files;
}

Result<std::string> Sha256OfChunkData(const ChunkFileOnDisk& file) {
  std::ifstream in(file.path, std::ios::binary);
  if (!in) return Status::IoError("cannot open " + file.path);
  in.seekg(kChunkFileHeaderBytes);
  Sha256 digest;
  std::string piece;
  for (int64_t done = 0; done < file.length;) {
    piece.resize(static_cast<size_t>(std::min(kReadPiece, file.length - done)));
    if (!in.read(piece.data(), static_cast<std::streamsize>(piece.size()))) {
      return Status::IoError(file.path + " ends before its data length " +
                             std::to_string(file.length));
    }
    digest.Update(piece);
    done += static_cast<int64_t>(piece.size());
  }
  return digest.Hex();
}

}  // namespace tessera::fault
