// The chunk server's admin port: metrics read from the counters the service, the store, the
// scrubber and the replicator keep, its /status object and its /healthz verdict (503 once every
// data dir failed: it can then store nothing).
//
// Ownership: ChunkServerAdminSources borrows; everything must outlive the registry's and the
// admin server's last use. Thread-safety: the functions run on the admin server's thread while
// the server serves; the sources are thread-safe.
#pragma once

#include <string>
#include <vector>

#include "chunkserver/chunk_scrubber.h"
#include "chunkserver/chunk_service.h"
#include "chunkserver/chunk_store.h"
#include "common/admin_routes.h"
#include "common/clock.h"
#include "common/metrics.h"

namespace tessera {

struct ChunkServerAdminSources {
  std::string address;  // advertised RPC address
  std::string rack;
  std::vector<std::string> data_dirs;  // in the store's order
  const ChunkService* service = nullptr;
  const ChunkStore* store = nullptr;
  const ChunkScrubber* scrubber = nullptr;
  const Clock* clock = nullptr;
  int64_t started_ns = 0;  // monotonic
};

// tessera_chunkserver_* and tessera_uptime_seconds (README, "Admin port").
void RegisterChunkServerMetrics(const ChunkServerAdminSources& sources, MetricsRegistry* registry);

AdminRouteHooks ChunkServerAdminHooks(const ChunkServerAdminSources& sources);

}  // namespace tessera
