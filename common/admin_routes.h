// The endpoints every daemon's admin port serves, on top of HttpAdminServer:
//   /metrics  the registry in Prometheus text format 0.0.4
//   /status   a JSON object the daemon writes (role, address, uptime, key counters)
//   /healthz  200 with a short text when the daemon serves, 503 with the reason when it cannot
// Thread-safety: the hooks run on the admin server's thread; they must be thread-safe with
// respect to the daemon's other threads and quick (local state only).
#pragma once

#include <functional>
#include <string>

#include "common/clock.h"
#include "common/http_admin_server.h"
#include "common/json_writer.h"
#include "common/metrics.h"

namespace tessera {

struct HealthReport {
  bool serving = true;
  std::string detail;  // e.g. "leader", "follower", "all data dirs failed"
};

struct AdminRouteHooks {
  // Writes the members of the daemon's /status object (the braces are written around them).
  std::function<void(JsonWriter&)> status;
  std::function<HealthReport()> health;
};

// REQUIRES: before server->Start(); registry outlives the server.
void AddStandardAdminRoutes(HttpAdminServer* server, const MetricsRegistry* registry,
                            AdminRouteHooks hooks);

// tessera_uptime_seconds: seconds since `started_ns` (monotonic). `clock` outlives the registry.
void RegisterUptimeMetric(MetricsRegistry* registry, const Clock* clock, int64_t started_ns);

// The --admin-port flag's check: 0 (off) or 1..65535.
bool ValidAdminPort(int64_t port);

}  // namespace tessera
