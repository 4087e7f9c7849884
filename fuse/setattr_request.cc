#include "fuse/setattr_request.h"

#include <fuse_lowlevel.h>

#include <cstdint>
#include <limits>

namespace tessera::fuse {
namespace {

// Times are kept as int64 nanoseconds since 1970 (years 1677..2262). One outside is clamped to
// the nearest end, as Linux file systems clamp to the range their format holds.
int64_t NanosFromTimespec(const struct timespec& ts) {
  int64_t nanos = 0;
  if (__builtin_mul_overflow(static_cast<int64_t>(ts.tv_sec), int64_t{1'000'000'000}, &nanos) ||
      __builtin_add_overflow(nanos, static_cast<int64_t>(ts.tv_nsec), &nanos)) {
    return ts.tv_sec < 0 ? std::numeric_limits<int64_t>::min() : std::numeric_limits<int64_t>::max();
  }
  return nanos;
}

}  // namespace

rpc::SetAttrRequest SetAttrRequestFromFuse(const struct stat& attr, int to_set) {
  rpc::SetAttrRequest request;
  if (to_set & FUSE_SET_ATTR_MODE) request.__set_mode(static_cast<int32_t>(attr.st_mode & 07777));
  if (to_set & FUSE_SET_ATTR_UID) request.__set_uid(static_cast<int32_t>(attr.st_uid));
  if (to_set & FUSE_SET_ATTR_GID) request.__set_gid(static_cast<int32_t>(attr.st_gid));
  if (to_set & FUSE_SET_ATTR_SIZE) request.__set_size(static_cast<int64_t>(attr.st_size));
  if (to_set & FUSE_SET_ATTR_ATIME_NOW) {
    request.__set_atime_now(true);
  } else if (to_set & FUSE_SET_ATTR_ATIME) {
    request.__set_atime_ns(NanosFromTimespec(attr.st_atim));
  }
  if (to_set & FUSE_SET_ATTR_MTIME_NOW) {
    request.__set_mtime_now(true);
  } else if (to_set & FUSE_SET_ATTR_MTIME) {
    request.__set_mtime_ns(NanosFromTimespec(attr.st_mtim));
  }
  return request;
}

bool IsEmptySetAttrRequest(const rpc::SetAttrRequest& request) {
  return !request.__isset.mode && !request.__isset.uid && !request.__isset.gid &&
         !request.__isset.size && !request.__isset.atime_ns && !request.__isset.mtime_ns &&
         !request.atime_now && !request.mtime_now;
}

}  // namespace tessera::fuse
