// Moves the replicas of a chunk to a new version on the chunk servers, before the log records it.
//
// A stamp is a zero-length, synced writeChunk at the new version: the chunk server rewrites the
// chunk's header and from then on refuses writes at the old version (STALE_VERSION), so a writer
// still holding the old chain learns that it must ask the master again. Callers stamp first and
// log the new version second (ChunkServerRegistry, version rules): a stamp whose log entry never
// commits leaves replicas one version ahead of the record, holding exactly the record's data,
// which still count as current; the opposite order could leave a recorded version that no
// replica holds.
//
// Thread-safety: thread-safe (the connection pool is); no lock is held across the RPCs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/rpc_client.h"
#include "gen-cpp/ChunkServerService.h"
#include "master/chunk_server_registry.h"

namespace tessera::master {

class ChunkVersionStamper {
 public:
  // Borrows `registry`, which must outlive the stamper.
  ChunkVersionStamper(ChunkServerRegistry* registry, int io_timeout_ms);

  // Stamps `chunk_id` with `version` on each live server of `server_ids`, one after the other;
  // returns the ids of those that took it, in the order given, and records them in the registry
  // at `version`. A server that fails is logged and left out. `why` names the caller in logs.
  std::vector<int64_t> Stamp(int64_t chunk_id, int64_t version,
                             const std::vector<int64_t>& server_ids, const std::string& why);

 private:
  ChunkServerRegistry* const registry_;
  RpcClientPool<rpc::ChunkServerServiceClient> chunk_servers_;
};

}  // namespace tessera::master
