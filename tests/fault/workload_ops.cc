#include "tests/fault/workload_ops.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "tests/fault/file_content.h"

namespace tessera::fault {
namespace {

std::string Failed(const char* stage) { return std::string(stage) + ":" + std::to_string(errno); }

std::string Outcome(int rc, const char* stage) { return rc == 0 ? "ok" : Failed(stage); }

}  // namespace

std::string CreateFile(const std::string& path, uint64_t content_id, int64_t size) {
  const int fd = open(path.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
  if (fd < 0) return Failed("open");
  const std::string bytes = FileContent(content_id, size);
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      std::string result = Failed("write");
      close(fd);
      return result;
    }
    done += static_cast<size_t>(n);
  }
  // close() flushes the written data to every replica, and reports if that failed.
  return Outcome(close(fd), "close");
}

std::string ReadFile(const std::string& path, uint64_t content_id, int64_t size) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Failed("open");
  std::string bytes;
  char buffer[16 * 1024];
  while (true) {
    const ssize_t n = read(fd, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      std::string result = Failed("read");
      close(fd);
      return result;
    }
    if (n == 0) break;
    bytes.append(buffer, static_cast<size_t>(n));
  }
  close(fd);  // read-only: nothing to flush, nothing to report
  return bytes == FileContent(content_id, size) ? "ok" : "mismatch";
}

std::string MakeDirectory(const std::string& path) {
  return Outcome(mkdir(path.c_str(), 0755), "mkdir");
}

std::string RenameFile(const std::string& from, const std::string& to) {
  return Outcome(rename(from.c_str(), to.c_str()), "rename");
}

std::string UnlinkFile(const std::string& path) { return Outcome(unlink(path.c_str()), "unlink"); }

}  // namespace tessera::fault
