#include "tests/fault/tmpfs_mount.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>

namespace tessera::fault {

Result<std::vector<std::unique_ptr<TmpfsMount>>> TmpfsMount::MountEach(int count,
                                                                      int64_t size_bytes) {
  std::vector<std::unique_ptr<TmpfsMount>> mounts;
  for (int i = 0; i < count; ++i) {
    ASSIGN_OR_RETURN(std::unique_ptr<TmpfsMount> mount, Mount(size_bytes));
    mounts.push_back(std::move(mount));
  }
  return mounts;
}

Result<std::unique_ptr<TmpfsMount>> TmpfsMount::Mount(int64_t size_bytes) {
  std::string pattern = (std::filesystem::temp_directory_path() / "tessera-tmpfs-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    return Status::IoError(std::string("mkdtemp: ") + std::strerror(errno));
  }
  const std::string options = "size=" + std::to_string(size_bytes) + ",mode=0755";
  if (::mount("tessera-test", pattern.c_str(), "tmpfs", 0, options.c_str()) != 0) {
    const int error = errno;
    ::rmdir(pattern.c_str());
    return Status::IoError("mount tmpfs on " + pattern + ": " + std::strerror(error));
  }
  return std::unique_ptr<TmpfsMount>(new TmpfsMount(pattern));
}

TmpfsMount::~TmpfsMount() {
  if (::umount(path_.c_str()) != 0) ::umount2(path_.c_str(), MNT_DETACH);
  ::rmdir(path_.c_str());
}

Result<int64_t> TmpfsMount::FreeBytes() const {
  struct statvfs st {};
  if (::statvfs(path_.c_str(), &st) != 0) {
    return Status::IoError("statvfs " + path_ + ": " + std::strerror(errno));
  }
  return static_cast<int64_t>(st.f_bavail) * static_cast<int64_t>(st.f_frsize);
}

Status TmpfsMount::FillLeaving(const std::string& name, int64_t leave_free) {
  ASSIGN_OR_RETURN(int64_t free_bytes, FreeBytes());
  const std::string path = path_ + "/" + name;
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::IoError("open " + path + ": " + std::strerror(errno));
  // tmpfs allocates on write, so write real zeros rather than a sparse file.
  const std::string zeros(1 << 20, '\0');
  int64_t left = free_bytes - leave_free;
  while (left > 0) {
    const auto n = static_cast<size_t>(std::min<int64_t>(left, zeros.size()));
    const ssize_t written = ::write(fd, zeros.data(), n);
    if (written < 0) {
      const int error = errno;
      ::close(fd);
      return Status::IoError("write " + path + ": " + std::strerror(error));
    }
    left -= written;
  }
  ::close(fd);
  return Status::Ok();
}

}  // namespace tessera::fault
