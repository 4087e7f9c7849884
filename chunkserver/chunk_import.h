// A chunk being copied into this server from another one (re-replication), staged where no read,
// chunk listing or chunk report can see it until ChunkStore::CommitImport makes it a chunk.
//
// The staging file is DATA_DIR/incoming/<16 hex chunk id>.<n>.import: a normal chunk file
// (header and block checksums), filled by Append in order. Dropping an import that was not
// committed removes its staging file; a crash leaves it behind, and ChunkStore::Open clears
// DATA_DIR/incoming/ of every data dir.
//
// Thread-safety: none; one thread fills and commits an import. Made only by ChunkStore, which
// must outlive it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "chunkserver/chunk_file.h"
#include "common/status.h"

namespace tessera {

class ChunkImport {
 public:
  ~ChunkImport();
  ChunkImport(const ChunkImport&) = delete;
  ChunkImport& operator=(const ChunkImport&) = delete;

  int64_t chunk_id() const { return file_->chunk_id(); }
  int64_t version() const { return file_->version(); }
  // Bytes appended so far.
  int64_t length() const { return file_->length(); }

  // Appends `data` at length(). kInvalidArgument past the 64 MiB chunk.
  Status Append(std::span<const std::byte> data);

 private:
  friend class ChunkStore;

  ChunkImport(size_t dir, std::string staging_path, std::unique_ptr<ChunkFile> file)
      : dir_(dir), staging_path_(std::move(staging_path)), file_(std::move(file)) {}

  // Syncs the staging file, then reopens it and checks that its header says what was appended
  // (chunk id, version, length): the copy is complete and durable before it is renamed.
  Status SyncAndVerify();

  const size_t dir_;  // index of the data dir holding the staging file
  const std::string staging_path_;
  std::unique_ptr<ChunkFile> file_;
  bool committed_ = false;  // renamed into chunks/: the destructor leaves it alone
};

}  // namespace tessera
