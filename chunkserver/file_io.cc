#include "chunkserver/file_io.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace tessera {
namespace {

std::string ErrnoText(int error) { return std::strerror(error); }

// Writes at least this large start their writeback at once (see WriteAt).
constexpr size_t kEarlyWritebackBytes = size_t{1} << 20;

class PosixFileIo final : public FileIo {
 public:
  PosixFileIo(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~PosixFileIo() override {
    ::close(fd_);
    if (direct_fd_ >= 0) ::close(direct_fd_);
  }
  PosixFileIo(const PosixFileIo&) = delete;
  PosixFileIo& operator=(const PosixFileIo&) = delete;

  Result<size_t> ReadAt(int64_t offset, std::span<std::byte> out) override {
    size_t done = 0;
    while (done < out.size()) {
      ssize_t n = ::pread(fd_, out.data() + done, out.size() - done, offset + done);
      if (n < 0) {
        if (errno == EINTR) continue;
        return StatusFromErrno("read " + path_, errno);
      }
      if (n == 0) break;  // end of file
      done += static_cast<size_t>(n);
    }
    return done;
  }

  Status WriteAt(int64_t offset, std::span<const std::byte> data) override {
    RETURN_IF_ERROR(WriteAll(fd_, offset, data));
    if (data.size() >= kEarlyWritebackBytes) {
      // Start writeback of a large write now, without waiting for it: a later fsync then finds
      // little left to flush, instead of every replica's whole chunk at once. Advisory only, so
      // its failure changes nothing.
      (void)::sync_file_range(fd_, offset, static_cast<off_t>(data.size()),
                              SYNC_FILE_RANGE_WRITE);
    }
    return Status::Ok();
  }

  Status WriteAtDirect(int64_t offset, std::span<const std::byte> data) override {
    if (direct_fd_ == kDirectNotOpened) {
      direct_fd_ = ::open(path_.c_str(), O_WRONLY | O_DIRECT | O_CLOEXEC);
      if (direct_fd_ < 0 && errno != EINVAL) {
        return StatusFromErrno("open " + path_ + " for direct I/O", errno);
      }
    }
    // EINVAL at open: this file system has no O_DIRECT (tmpfs, for one).
    if (direct_fd_ < 0) return WriteAt(offset, data);
    return WriteAll(direct_fd_, offset, data);
  }

  Status Sync() override {
    if (::fdatasync(fd_) != 0) return StatusFromErrno("sync " + path_, errno);
    return Status::Ok();
  }

 private:
  Status WriteAll(int fd, int64_t offset, std::span<const std::byte> data) {
    size_t done = 0;
    while (done < data.size()) {
      ssize_t n = ::pwrite(fd, data.data() + done, data.size() - done, offset + done);
      if (n < 0) {
        if (errno == EINTR) continue;
        return StatusFromErrno("write " + path_, errno);
      }
      done += static_cast<size_t>(n);
    }
    return Status::Ok();
  }

  static constexpr int kDirectNotOpened = -2;

  const int fd_;
  const std::string path_;
  // A second descriptor opened with O_DIRECT on first use; -1 where the file system refuses it.
  int direct_fd_ = kDirectNotOpened;
};

}  // namespace

Status StatusFromErrno(const std::string& what, int error) {
  std::string message = what + ": " + ErrnoText(error);
  switch (error) {
    case ENOENT:
      return Status::NotFound(std::move(message));
    case ENOSPC:
    case EDQUOT:
      return Status::NoSpace(std::move(message));
    case EMFILE:
    case ENFILE:
    case ENOMEM:
    case EAGAIN:
      return Status::Unavailable(std::move(message));
    default:
      return Status::IoError(std::move(message));
  }
}

Result<std::unique_ptr<FileIo>> OpenPosixFile(const std::string& path, OpenMode mode) {
  int flags = O_CLOEXEC;
  switch (mode) {
    case OpenMode::kReadOnly:
      flags |= O_RDONLY;
      break;
    case OpenMode::kReadWrite:
      flags |= O_RDWR;
      break;
    case OpenMode::kCreateExclusive:
      flags |= O_RDWR | O_CREAT | O_EXCL;
      break;
  }
  int fd = ::open(path.c_str(), flags, 0644);
  if (fd < 0) return StatusFromErrno("open " + path, errno);
  return std::unique_ptr<FileIo>(std::make_unique<PosixFileIo>(fd, path));
}

Status SyncDirectory(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return StatusFromErrno("open directory " + path, errno);
  int rc = ::fsync(fd);
  int error = errno;
  ::close(fd);
  if (rc != 0) return StatusFromErrno("sync directory " + path, error);
  return Status::Ok();
}

}  // namespace tessera
