// Positional I/O on one open file: the only way chunk files touch the disk, so that tests can
// put a fault-injecting implementation underneath ChunkFile.
//
// A FileIo owns its file descriptor and closes it on destruction. Implementations are safe for
// concurrent ReadAt calls (pread has no shared file position); writers must be serialized by the
// caller.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "common/status.h"

namespace tessera {

// Offsets, lengths and buffers given to WriteAtDirect are multiples of this.
inline constexpr size_t kDirectIoAlignment = 4096;

class FileIo {
 public:
  virtual ~FileIo() = default;
  // Reads up to out.size() bytes at `offset`; returns how many were read (fewer only at EOF).
  virtual Result<size_t> ReadAt(int64_t offset, std::span<std::byte> out) = 0;
  // Writes all of `data` at `offset` or fails.
  virtual Status WriteAt(int64_t offset, std::span<const std::byte> data) = 0;
  // Like WriteAt, but without copying the data into the page cache where the file system
  // supports it (O_DIRECT). Large chunk writes use it: on this platform the copy into fresh
  // page-cache pages was the largest part of a chunk server's CPU time.
  // REQUIRES: offset, data.data() and data.size() are multiples of kDirectIoAlignment.
  virtual Status WriteAtDirect(int64_t offset, std::span<const std::byte> data) {
    return WriteAt(offset, data);
  }
  // fdatasync: the data and the metadata needed to read it back are durable.
  virtual Status Sync() = 0;
};

enum class OpenMode { kReadOnly, kReadWrite, kCreateExclusive };

// The one translation of an errno into a Status (what: "open /x"): ENOENT is kNotFound, ENOSPC
// and EDQUOT kNoSpace, a lack of process resources (EMFILE, ENFILE, ENOMEM, EAGAIN) kUnavailable,
// which says nothing about the disk; everything else (EIO, EACCES, EROFS, ...) kIoError, which
// makes the chunk store take the data dir out of service.
Status StatusFromErrno(const std::string& what, int error);

// Opens `path` with pread/pwrite/fdatasync underneath. Errors name the path and errno text and
// follow StatusFromErrno.
Result<std::unique_ptr<FileIo>> OpenPosixFile(const std::string& path, OpenMode mode);

// fsync of a directory, so that a file created or renamed inside it survives a crash.
Status SyncDirectory(const std::string& path);

}  // namespace tessera
