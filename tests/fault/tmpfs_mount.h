// A small tmpfs mounted on a fresh temporary directory, for tests that need a data directory
// that fills up. Needs root (mount(2)).
//
// Ownership: the object owns the mount and the directory; the destructor unmounts (lazily when
// a process still uses it) and removes the directory. Stop every daemon that uses it first.
// Thread-safety: none.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"

namespace tessera::fault {

class TmpfsMount {
 public:
  static Result<std::unique_ptr<TmpfsMount>> Mount(int64_t size_bytes);
  // `count` mounts of `size_bytes` each, e.g. one per chunk server of a test cluster.
  static Result<std::vector<std::unique_ptr<TmpfsMount>>> MountEach(int count,
                                                                    int64_t size_bytes);
  ~TmpfsMount();
  TmpfsMount(const TmpfsMount&) = delete;
  TmpfsMount& operator=(const TmpfsMount&) = delete;

  const std::string& path() const { return path_; }
  // Bytes free to an unprivileged writer (statvfs f_bavail).
  Result<int64_t> FreeBytes() const;
  // Writes a file of zeros at `path()/name` that leaves about `leave_free` bytes free.
  Status FillLeaving(const std::string& name, int64_t leave_free);

 private:
  explicit TmpfsMount(std::string path) : path_(std::move(path)) {}

  std::string path_;
};

}  // namespace tessera::fault
