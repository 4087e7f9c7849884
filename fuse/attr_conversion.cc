#include "fuse/attr_conversion.h"

#include <cstring>

namespace tessera::fuse {

mode_t FileTypeBits(rpc::FileType::type type) {
  switch (type) {
    case rpc::FileType::DIRECTORY:
      return S_IFDIR;
    case rpc::FileType::SYMLINK:
      return S_IFLNK;
    case rpc::FileType::REGULAR:
      return S_IFREG;
    case rpc::FileType::FIFO:
      return S_IFIFO;
    case rpc::FileType::SOCKET:
      return S_IFSOCK;
  }
  // An unknown type from a newer master: showing it as a regular file keeps it visible and
  // harmless (no directory operations are attempted on it).
  return S_IFREG;
}

namespace {

struct timespec TimespecFromNanos(int64_t nanos) {
  constexpr int64_t kNanosPerSecond = 1'000'000'000;
  struct timespec ts {};
  ts.tv_sec = static_cast<time_t>(nanos / kNanosPerSecond);
  int64_t rest = nanos % kNanosPerSecond;
  // Times before 1970 must still have 0 <= tv_nsec < 1e9.
  if (rest < 0) {
    rest += kNanosPerSecond;
    ts.tv_sec -= 1;
  }
  ts.tv_nsec = static_cast<long>(rest);
  return ts;
}

}  // namespace

struct stat StatFromAttr(const rpc::Attr& attr) {
  struct stat st;
  std::memset(&st, 0, sizeof(st));
  st.st_ino = static_cast<ino_t>(attr.inode);
  st.st_mode = FileTypeBits(attr.type) | (static_cast<mode_t>(attr.mode) & 07777);
  // 0 for a file unlinked while open: fstat on its descriptor shows it, as POSIX says.
  st.st_nlink = static_cast<nlink_t>(attr.nlink > 0 ? attr.nlink : 0);
  st.st_uid = static_cast<uid_t>(attr.uid);
  st.st_gid = static_cast<gid_t>(attr.gid);
  const int64_t size = attr.size > 0 ? attr.size : 0;
  st.st_size = static_cast<off_t>(size);
  st.st_blksize = static_cast<blksize_t>(kPreferredIoBytes);
  st.st_blocks = static_cast<blkcnt_t>((size + 511) / 512);
  st.st_atim = TimespecFromNanos(attr.atime_ns);
  st.st_mtim = TimespecFromNanos(attr.mtime_ns);
  st.st_ctim = TimespecFromNanos(attr.ctime_ns);
  return st;
}

}  // namespace tessera::fuse
