#include "client/chunk_connection.h"

#include "gen-cpp/ChunkServerService.h"

namespace tessera::client {
namespace {

class ThriftChunkConnection final : public ChunkConnection {
 public:
  ThriftChunkConnection(const RpcClientOptions& options, RpcClientMetrics* metrics)
      : pool_(options), metrics_(metrics) {}

  Result<std::string> ReadChunk(const HostPort& server,
                                const rpc::ReadChunkRequest& request) override {
    std::string data;
    RETURN_IF_ERROR(CallWithReconnect(server, "readChunk", [&](rpc::ChunkServerServiceClient& c) {
      c.readChunk(data, request);
    }));
    return data;
  }

  Status WriteChunk(const HostPort& server, const rpc::WriteChunkRequest& request) override {
    return CallWithReconnect(server, "writeChunk",
                             [&](rpc::ChunkServerServiceClient& c) { c.writeChunk(request); });
  }

  Status SyncChunk(const HostPort& server, const rpc::SyncChunkRequest& request) override {
    return CallWithReconnect(server, "syncChunk",
                             [&](rpc::ChunkServerServiceClient& c) { c.syncChunk(request); });
  }

 private:
  // `method`: the Thrift method `call` makes, for the metrics.
  template <typename F>
  Status CallWithReconnect(const HostPort& server, const char* method, F&& call) {
    auto attempt = [&] { return pool_.Call(server, call); };
    RpcOutcome outcome = MeasureRpc(metrics_, "ChunkServerService", method, attempt);
    if (outcome.connection_broken) {
      // The idle connection may predate a restart of the server: one fresh attempt.
      pool_.Forget(server);
      outcome = MeasureRpc(metrics_, "ChunkServerService", method, attempt);
    }
    return outcome.status;
  }

  RpcClientPool<rpc::ChunkServerServiceClient> pool_;
  RpcClientMetrics* const metrics_;  // may be null
};

}  // namespace

std::unique_ptr<ChunkConnection> NewThriftChunkConnection(const RpcClientOptions& options,
                                                          RpcClientMetrics* metrics) {
  return std::make_unique<ThriftChunkConnection>(options, metrics);
}

}  // namespace tessera::client
