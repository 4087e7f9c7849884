#include "chunkserver/chunk_source.h"

namespace tessera {

Result<std::string> RpcChunkSource::ReadChunk(const HostPort& address,
                                              const rpc::ReadChunkRequest& request) {
  std::string data;
  RpcOutcome outcome = pool_->Call(
      address, [&](rpc::ChunkServerServiceClient& client) { client.readChunk(data, request); });
  if (!outcome.status.ok()) return outcome.status;
  return data;
}

}  // namespace tessera
