// What an open regular file's fuse_file_info::fh points to.
//
// Ownership: created by open/create and owned by the session's HandleRegistry (which frees the
// ones left open when the session ends); deleted by release (the kernel sends exactly one release
// per successful open/create). Thread-safety: inode, writable and file are set before the handle
// is given to the kernel and never change; OpenFile itself is thread-safe (client/file_system.h);
// atime_due is an atomic that any worker thread may flip.
#pragma once

#include <fuse_lowlevel.h>

#include <atomic>
#include <cstdint>
#include <memory>

#include "client/file_system.h"

namespace tessera::fuse {

struct FileHandle {
  int64_t inode = 0;
  bool writable = false;
  std::unique_ptr<client::OpenFile> file;
  // The mount's atime rule asked for an update at open; the first read request sends it.
  std::atomic<bool> atime_due{false};
};

inline FileHandle& FileHandleOf(const fuse_file_info* fi) {
  return *reinterpret_cast<FileHandle*>(static_cast<uintptr_t>(fi->fh));
}

}  // namespace tessera::fuse
