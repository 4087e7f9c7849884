#include "fuse/fuse_op_metrics.h"

#include <iterator>

namespace tessera::fuse {

namespace {

// Indexed by FuseOp; the static_assert below keeps the two in step.
constexpr const char* kOpNames[] = {
    "lookup",   "forget",    "forget_multi", "getattr",   "setattr", "mkdir",       "unlink",
    "rmdir",    "rename",    "statfs",       "create",    "open",    "read",        "write",
    "flush",    "release",   "fsync",        "opendir",   "readdir", "readdirplus", "releasedir",
    "fsyncdir", "link",      "symlink",      "readlink",  "mknod",   "access",      "setxattr",
    "getxattr", "listxattr", "removexattr",  "fallocate", "getlk",   "setlk",       "flock",
};
static_assert(std::size(kOpNames) == static_cast<size_t>(FuseOp::kCount));

}  // namespace

const char* FuseOpName(FuseOp op) { return kOpNames[static_cast<size_t>(op)]; }

FuseOpMetrics::FuseOpMetrics(MetricsRegistry* registry, const Clock* clock) : clock_(clock) {
  for (size_t i = 0; i < ops_.size(); ++i) {
    const MetricLabels labels{{"op", kOpNames[i]}};
    ops_[i].calls = &registry->GetCounter("tessera_fuse_ops_total",
                                          "FUSE requests handled, by operation", labels);
    ops_[i].duration = &registry->GetHistogram("tessera_fuse_op_duration_seconds",
                                               "time to handle a FUSE request, by operation",
                                               labels, LatencyBounds());
  }
}

void FuseOpMetrics::Record(FuseOp op, int64_t start_ns) {
  OpMetrics& metrics = ops_[static_cast<size_t>(op)];
  metrics.calls->Increment();
  metrics.duration->Observe(static_cast<double>(clock_->NowMonotonicNanos() - start_ns) / 1e9);
}

}  // namespace tessera::fuse
