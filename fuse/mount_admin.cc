#include "fuse/mount_admin.h"

namespace tessera::fuse {

namespace {

using CounterField = std::atomic<uint64_t> MountCounters::*;

struct ExportedCounter {
  const char* name;
  const char* help;
  CounterField field;
};

constexpr ExportedCounter kExported[] = {
    {"tessera_mount_bytes_read_total", "bytes returned to reads the kernel sent",
     &MountCounters::bytes_read},
    {"tessera_mount_bytes_written_total", "bytes accepted from writes",
     &MountCounters::bytes_written},
    {"tessera_mount_read_requests_total", "reads the kernel could not serve from its cache",
     &MountCounters::read_requests},
    {"tessera_mount_write_requests_total", "writes the kernel sent",
     &MountCounters::write_requests},
    {"tessera_mount_io_errors_total", "reads and writes answered with an error",
     &MountCounters::io_errors},
    {"tessera_mount_opens_cache_kept_total", "opens that kept the kernel's page cache",
     &MountCounters::opens_cache_kept},
    {"tessera_mount_opens_cache_dropped_total", "opens that dropped the kernel's page cache",
     &MountCounters::opens_cache_dropped},
    {"tessera_mount_atime_updates_total", "access time updates sent to the master",
     &MountCounters::atime_updates},
};

}  // namespace

void RegisterMountMetrics(const MountAdminSources& sources, MetricsRegistry* registry) {
  RegisterUptimeMetric(registry, sources.clock, sources.started_ns);
  const MountCounters* counters = sources.counters;
  for (const ExportedCounter& exported : kExported) {
    registry->AddValueReader(exported.name, exported.help, MetricType::kCounter,
                             [counters, field = exported.field] {
                               return static_cast<double>((counters->*field).load());
                             });
  }
}

AdminRouteHooks MountAdminHooks(const MountAdminSources& sources) {
  AdminRouteHooks hooks;
  hooks.status = [sources](JsonWriter& json) {
    json.Field("daemon", "mount")
        .Field("mountpoint", sources.mountpoint)
        .Field("uptime_seconds",
               static_cast<double>(sources.clock->NowMonotonicNanos() - sources.started_ns) / 1e9);
    json.Key("masters").BeginArray();
    for (const HostPort& master : sources.masters) json.String(master.ToString());
    json.EndArray();
    for (const ExportedCounter& exported : kExported) {
      std::string key(exported.name);
      key = key.substr(std::string("tessera_mount_").size());
      if (key.ends_with("_total")) key.resize(key.size() - std::string("_total").size());
      json.Field(key, (sources.counters->*exported.field).load());
    }
  };
  // The admin port runs only while the FUSE session loop does.
  hooks.health = [] { return HealthReport{true, "mounted"}; };
  return hooks;
}

}  // namespace tessera::fuse
