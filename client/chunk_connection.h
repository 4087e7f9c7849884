// ChunkConnection: one ChunkServerService call to one chunk server, errors as Status values.
// Replica choice, fall-back and chains live above it, in ChunkClient (chunk_client.h); tests
// replace this interface with an in-memory fake.
//
// Implementations must be thread-safe.
#pragma once

#include <memory>
#include <string>

#include "common/address.h"
#include "common/rpc_client.h"
#include "common/rpc_client_metrics.h"
#include "common/status.h"
#include "gen-cpp/tessera_types.h"

namespace tessera::client {

class ChunkConnection {
 public:
  virtual ~ChunkConnection() = default;
  virtual Result<std::string> ReadChunk(const HostPort& server,
                                        const rpc::ReadChunkRequest& request) = 0;
  virtual Status WriteChunk(const HostPort& server, const rpc::WriteChunkRequest& request) = 0;
  virtual Status SyncChunk(const HostPort& server, const rpc::SyncChunkRequest& request) = 0;
};

// Pooled Thrift connections (RpcClientPool<ChunkServerServiceClient>). A call that fails on a
// pooled connection whose peer restarted is retried once on a fresh connection: every
// ChunkServerService call is idempotent. `metrics` (borrowed, may be null, outlives the
// connection) times and counts every attempt as service "ChunkServerService".
std::unique_ptr<ChunkConnection> NewThriftChunkConnection(const RpcClientOptions& options,
                                                          RpcClientMetrics* metrics = nullptr);

}  // namespace tessera::client
