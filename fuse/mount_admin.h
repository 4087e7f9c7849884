// tessera-mount's admin port: metrics from MountCounters, a /status object and /healthz.
// The mount is a client on a user's machine, so its admin port listens on 127.0.0.1 only.
//
// Ownership: MountAdminSources borrows; the counters and the clock must outlive the registry's
// and the admin server's last use. Thread-safety: the counters are atomics.
#pragma once

#include <string>
#include <vector>

#include "common/address.h"
#include "common/admin_routes.h"
#include "common/clock.h"
#include "common/metrics.h"
#include "fuse/mount_counters.h"

namespace tessera::fuse {

struct MountAdminSources {
  std::string mountpoint;
  std::vector<HostPort> masters;
  const MountCounters* counters = nullptr;
  const Clock* clock = nullptr;
  int64_t started_ns = 0;  // monotonic
};

// tessera_mount_* and tessera_uptime_seconds (README, "Admin port").
void RegisterMountMetrics(const MountAdminSources& sources, MetricsRegistry* registry);

AdminRouteHooks MountAdminHooks(const MountAdminSources& sources);

}  // namespace tessera::fuse
