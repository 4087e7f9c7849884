#include "master/chunk_version_stamper.h"

#include "common/logging.h"

namespace tessera::master {

ChunkVersionStamper::ChunkVersionStamper(ChunkServerRegistry* registry, int io_timeout_ms)
    : registry_(registry),
      chunk_servers_(RpcClientOptions{.connect_timeout_ms = 2000,
                                      .io_timeout_ms = io_timeout_ms,
                                      .max_idle_per_address = 4}) {}

std::vector<int64_t> ChunkVersionStamper::Stamp(int64_t chunk_id, int64_t version,
                                                const std::vector<int64_t>& server_ids,
                                                const std::string& why) {
  std::vector<int64_t> stamped;
  for (const rpc::ChunkServerAddress& server : registry_->LiveAddresses(server_ids)) {
    rpc::WriteChunkRequest stamp;
    stamp.chunk_id = chunk_id;
    stamp.version = version;
    stamp.offset = 0;
    stamp.sync = true;
    stamp.request_id = why + "-stamp-" + std::to_string(chunk_id);
    RpcOutcome outcome = chunk_servers_.Call(
        HostPort{server.host, server.port},
        [&](rpc::ChunkServerServiceClient& client) { client.writeChunk(stamp); });
    if (!outcome.status.ok()) {
      LOG(kWarning, "master") << "server " << server.server_id << " did not take version "
                              << version << " of chunk " << chunk_id << " (" << why
                              << "): " << outcome.status.ToString();
      continue;
    }
    registry_->RecordReplicas(chunk_id, version, {server.server_id});
    stamped.push_back(server.server_id);
  }
  return stamped;
}

}  // namespace tessera::master
