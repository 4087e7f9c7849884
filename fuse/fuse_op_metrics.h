// Per-operation metrics of the FUSE requests the kernel sends tessera-mount:
//
//   tessera_fuse_ops_total{op}            counter   requests handled
//   tessera_fuse_op_duration_seconds{op}  histogram from the handler's start to its return
//
// op is the fuse_lowlevel_ops member's name ("lookup", "getattr", "read", "write", ...). A
// handler replies before it returns, so the duration covers the whole request, except for a
// blocking lock request (setlk with sleep), which is handed to BlockedLocks and measured only
// up to the hand-off. Bytes moved by applications are tessera_mount_bytes_{read,written}_total
// (mount_admin.h).
//
// Ownership: the mount owns one FuseOpMetrics (fuse/main.cc), lends it to TesseraFuse; the
// registry and clock outlive it. Thread-safety: Record is lock-free (every metric is created in
// the constructor); any FUSE worker thread may call it.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "common/clock.h"
#include "common/metrics.h"

namespace tessera::fuse {

enum class FuseOp : size_t {
  kLookup,
  kForget,
  kForgetMulti,
  kGetattr,
  kSetattr,
  kMkdir,
  kUnlink,
  kRmdir,
  kRename,
  kStatfs,
  kCreate,
  kOpen,
  kRead,
  kWrite,
  kFlush,
  kRelease,
  kFsync,
  kOpendir,
  kReaddir,
  kReaddirplus,
  kReleasedir,
  kFsyncdir,
  kLink,
  kSymlink,
  kReadlink,
  kMknod,
  kAccess,
  kSetxattr,
  kGetxattr,
  kListxattr,
  kRemovexattr,
  kFallocate,
  kGetlk,
  kSetlk,
  kFlock,
  kCount,  // not an operation
};

// "lookup" for kLookup, ... (the `op` label).
const char* FuseOpName(FuseOp op);

class FuseOpMetrics {
 public:
  FuseOpMetrics(MetricsRegistry* registry, const Clock* clock);
  FuseOpMetrics(const FuseOpMetrics&) = delete;
  FuseOpMetrics& operator=(const FuseOpMetrics&) = delete;

  int64_t NowNanos() const { return clock_->NowMonotonicNanos(); }
  // One request of `op` that started at `start_ns` (NowNanos) and has just ended.
  void Record(FuseOp op, int64_t start_ns);

 private:
  struct OpMetrics {
    Counter* calls = nullptr;
    Histogram* duration = nullptr;
  };

  const Clock* const clock_;
  std::array<OpMetrics, static_cast<size_t>(FuseOp::kCount)> ops_;
};

}  // namespace tessera::fuse
