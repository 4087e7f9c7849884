// Reads chunk files straight from a chunk server's data directory, as chunkserver/chunk_file.h
// documents them, without asking any daemon: the independent witness of where replicas really
// are. A test compares it with what the master believes.
//
// Layout: DATA_DIR/chunks/XX/<16 lowercase hex id>.chunk, a 16 KiB header (magic "TSRCHUNK",
// chunk id at 16, version at 24, data length at 32, little-endian) followed by the data. Files
// of any other name (a copy in progress, say) are not replicas and are skipped.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"

namespace tessera::fault {

inline constexpr int64_t kChunkFileHeaderBytes = 16384;

struct ChunkFileOnDisk {
  std::string path;
  int64_t chunk_id = 0;  // from the file name
  // False when the header is short, lacks the magic or names another chunk id; then the fields
  // below are 0.
  bool header_ok = false;
  int64_t version = 0;
  int64_t length = 0;
  int64_t file_bytes = 0;

  // A replica that can serve `length` bytes of `version`: a valid header naming them and a file
  // long enough to hold the data.
  bool Holds(int64_t want_version, int64_t want_length) const {
    return header_ok && version == want_version && length == want_length &&
           file_bytes >= kChunkFileHeaderBytes + length;
  }
};

// Every chunk file under `data_dir`; an empty list when the directory has no chunks yet. A file
// that vanishes while being read (deleted by the chunk server) is left out.
Result<std::vector<ChunkFileOnDisk>> ScanChunkFiles(const std::string& data_dir);

// SHA-256 (lowercase hex) of the data bytes [0, length) of a chunk file.
Result<std::string> Sha256OfChunkData(const ChunkFileOnDisk& file);

// "00000000000000ab": the chunk id as file names and messages show it.
std::string ChunkIdHex(int64_t chunk_id);

}  // namespace tessera::fault
