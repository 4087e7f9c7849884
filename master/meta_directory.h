// Which namespace database is live, and switching to another one crash-safely.
//
// DATA_DIR holds generations meta.<N>/ (each a whole LevelDB database) and the pointer file
// META_CURRENT, whose content "meta.<N>\n" names the live one. A received snapshot is built in
// a new generation (NewGenerationPath + MetaSnapshotBuilder) and made live by Install, which
// makes the generation durable first and then replaces the pointer atomically (temporary file,
// fsync, rename, fsync of DATA_DIR). A crash at any step leaves the old or the new generation
// live, never neither; what it leaves behind (temporary pointer, unused generations) is removed
// by RemoveStale, which Open runs.
//
// Older versions kept the database in DATA_DIR/meta; Open moves it to meta.0 (one rename) and
// points at it, so an upgrade keeps the namespace.
//
// A pointer that does not parse, or that names a missing generation, is kCorruption: guessing
// which generation is live could bring back an old namespace.
// Thread-safety: none; the owner serializes calls. The caller opens and closes the databases.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "common/status.h"

namespace tessera::master {

class MetaDirectory {
 public:
  // Opens DATA_DIR (creating it and a first, empty generation if needed) and removes stale
  // generations.
  static Result<MetaDirectory> Open(const std::string& data_dir);

  // The live database's directory.
  std::string LivePath() const;
  uint64_t live_generation() const { return live_; }

  // Creates a fresh empty directory for a database that may become live; each call gives a new
  // one.
  Result<std::string> NewGenerationPath();
  // Makes `path` (from NewGenerationPath, holding a closed database) live. The previous live
  // generation stays on disk until RemoveStale, so a database still open there is undisturbed.
  // REQUIRES: `path` is a generation directory of this DATA_DIR other than the live one
  // (kInvalidArgument otherwise).
  Status Install(const std::string& path);
  // Deletes every generation but the live one, and a leftover temporary pointer.
  // REQUIRES: no database is open in those generations (the previous live one is closed, no
  // MetaSnapshotBuilder is writing one).
  Status RemoveStale();

 private:
  MetaDirectory(std::filesystem::path data_dir, uint64_t live)
      : data_dir_(std::move(data_dir)), live_(live), next_(live + 1) {}

  std::filesystem::path GenerationPath(uint64_t generation) const;
  Status WritePointer(uint64_t generation);

  std::filesystem::path data_dir_;
  uint64_t live_;
  uint64_t next_;  // the generation NewGenerationPath tries next
};

}  // namespace tessera::master
