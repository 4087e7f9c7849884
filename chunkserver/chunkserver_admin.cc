#include "chunkserver/chunkserver_admin.h"

#include <sys/statvfs.h>

#include <optional>

namespace tessera {

namespace {

struct DirSpace {
  std::string dir;
  bool failed = false;
  std::optional<int64_t> total_bytes;  // empty when statvfs failed
  std::optional<int64_t> free_bytes;
};

// Per data dir, unlike SpaceStats (which counts a shared file system once).
std::vector<DirSpace> ReadDirSpace(const ChunkServerAdminSources& sources) {
  std::vector<DirSpace> dirs;
  for (size_t i = 0; i < sources.data_dirs.size(); ++i) {
    DirSpace dir;
    dir.dir = sources.data_dirs[i];
    dir.failed = sources.store->dir_failed(i);
    struct statvfs fs;
    if (statvfs(dir.dir.c_str(), &fs) == 0) {
      dir.total_bytes = static_cast<int64_t>(fs.f_blocks) * static_cast<int64_t>(fs.f_frsize);
      dir.free_bytes = static_cast<int64_t>(fs.f_bavail) * static_cast<int64_t>(fs.f_frsize);
    }
    dirs.push_back(std::move(dir));
  }
  return dirs;
}

// One sample per data dir, from `pick` (skipped when it has no value).
void AddDirReader(MetricsRegistry* registry, const ChunkServerAdminSources& sources,
                  const std::string& name, const std::string& help,
                  std::function<std::optional<double>(const DirSpace&)> pick) {
  registry->AddReader(name, help, MetricType::kGauge, [sources, pick] {
    std::vector<MetricSample> samples;
    for (const DirSpace& dir : ReadDirSpace(sources)) {
      if (std::optional<double> value = pick(dir)) samples.push_back({{{"dir", dir.dir}}, *value});
    }
    return samples;
  });
}

void AddCount(MetricsRegistry* registry, const std::string& name, const std::string& help,
              MetricType type, std::function<int64_t()> read) {
  registry->AddValueReader(name, help, type,
                           [read = std::move(read)] { return static_cast<double>(read()); });
}

}  // namespace

void RegisterChunkServerMetrics(const ChunkServerAdminSources& sources, MetricsRegistry* registry) {
  RegisterUptimeMetric(registry, sources.clock, sources.started_ns);
  const ChunkService* service = sources.service;
  const ChunkStore* store = sources.store;
  const ChunkScrubber* scrubber = sources.scrubber;
  AddCount(registry, "tessera_chunkserver_bytes_written_total",
           "chunk data bytes stored by writes (this server's copy)", MetricType::kCounter,
           [service] { return service->bytes_written(); });
  AddCount(registry, "tessera_chunkserver_bytes_read_total", "chunk data bytes returned to reads",
           MetricType::kCounter, [service] { return service->bytes_read(); });
  AddCount(registry, "tessera_chunkserver_chunks", "chunks held", MetricType::kGauge,
           [store] { return store->chunk_count(); });
  AddCount(registry, "tessera_chunkserver_active_requests", "chunk requests being served",
           MetricType::kGauge, [service] { return service->Stats().active_requests; });
  AddDirReader(registry, sources, "tessera_chunkserver_disk_total_bytes",
               "size of the file system holding each data dir",
               [](const DirSpace& dir) -> std::optional<double> {
                 if (!dir.total_bytes) return std::nullopt;
                 return static_cast<double>(*dir.total_bytes);
               });
  AddDirReader(registry, sources, "tessera_chunkserver_disk_free_bytes",
               "free space (for unprivileged users) of each data dir's file system",
               [](const DirSpace& dir) -> std::optional<double> {
                 if (!dir.free_bytes) return std::nullopt;
                 return static_cast<double>(*dir.free_bytes);
               });
  AddDirReader(registry, sources, "tessera_chunkserver_data_dir_failed",
               "1 when the data dir was taken out of service",
               [](const DirSpace& dir) -> std::optional<double> { return dir.failed ? 1 : 0; });
  registry->AddReader(
      "tessera_chunkserver_corrupt_chunks_found_total",
      "chunks found with a checksum mismatch, by who found it", MetricType::kCounter,
      [service, scrubber] {
        return std::vector<MetricSample>{
            {{{"found_by", "read"}}, static_cast<double>(service->corruptions_detected())},
            {{{"found_by", "scrubber"}}, static_cast<double>(scrubber->counters().corrupt_found)}};
      });
  AddCount(registry, "tessera_chunkserver_chunks_set_aside_total",
           "corrupt chunk files moved to corrupt/", MetricType::kCounter,
           [store] { return store->counters().corrupt_set_aside; });
  AddCount(registry, "tessera_chunkserver_data_dirs_failed_total",
           "data dirs taken out of service since start", MetricType::kCounter,
           [store] { return store->counters().dirs_failed; });
  AddCount(registry, "tessera_chunkserver_creates_refused_full_total",
           "new chunks refused because no data dir had room", MetricType::kCounter,
           [store] { return store->counters().creates_refused_full; });
  AddCount(registry, "tessera_chunkserver_scrub_passes_total", "finished scrub passes",
           MetricType::kCounter, [scrubber] { return scrubber->counters().passes; });
  AddCount(registry, "tessera_chunkserver_scrub_bytes_verified_total",
           "data bytes whose checksums the scrubber verified", MetricType::kCounter,
           [scrubber] { return scrubber->counters().bytes_verified; });
  AddCount(registry, "tessera_chunkserver_replications_done_total",
           "chunk copies installed here (re-replication)", MetricType::kCounter,
           [service] { return service->replication_counters().done; });
  AddCount(registry, "tessera_chunkserver_replications_failed_total",
           "chunk copies that ended in an error", MetricType::kCounter,
           [service] { return service->replication_counters().failed; });
  AddCount(registry, "tessera_chunkserver_replication_bytes_total",
           "chunk bytes of the copies installed here", MetricType::kCounter,
           [service] { return service->replication_counters().bytes_copied; });
}

AdminRouteHooks ChunkServerAdminHooks(const ChunkServerAdminSources& sources) {
  AdminRouteHooks hooks;
  hooks.status = [sources](JsonWriter& json) {
    const rpc::ChunkServerStats stats = sources.service->Stats();
    const ScrubCounters scrub = sources.scrubber->counters();
    const ReplicationCounters copies = sources.service->replication_counters();
    json.Field("daemon", "chunkserver")
        .Field("server_id", sources.store->server_id())
        .Field("address", sources.address)
        .Field("rack", sources.rack)
        .Field("uptime_seconds",
               static_cast<double>(sources.clock->NowMonotonicNanos() - sources.started_ns) / 1e9)
        .Field("chunks", stats.chunk_count)
        .Field("total_bytes", stats.total_bytes)
        .Field("free_bytes", stats.free_bytes)
        .Field("active_requests", stats.active_requests)
        .Field("bytes_written", sources.service->bytes_written())
        .Field("bytes_read", sources.service->bytes_read())
        .Field("corrupt_found_by_reads", sources.service->corruptions_detected())
        .Field("corrupt_found_by_scrubber", scrub.corrupt_found)
        .Field("scrub_passes", scrub.passes)
        .Field("replications_done", copies.done)
        .Field("replications_failed", copies.failed);
    json.Key("data_dirs").BeginArray();
    for (const DirSpace& dir : ReadDirSpace(sources)) {
      json.BeginObject().Field("dir", dir.dir).Field("failed", dir.failed);
      if (dir.total_bytes) json.Field("total_bytes", *dir.total_bytes);
      if (dir.free_bytes) json.Field("free_bytes", *dir.free_bytes);
      json.EndObject();
    }
    json.EndArray();
  };
  const ChunkStore* store = sources.store;
  hooks.health = [store] {
    const SpaceStats space = store->Space();
    if (space.dirs_ok == 0) return HealthReport{false, "every data dir failed"};
    return HealthReport{true, std::to_string(space.dirs_ok) + " data dir(s) ok, " +
                                  std::to_string(space.dirs_failed) + " failed"};
  };
  return hooks;
}

}  // namespace tessera
