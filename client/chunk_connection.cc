#include "client/chunk_connection.h"

#include "gen-cpp/ChunkServerService.h"

namespace tessera::client {
namespace {

class ThriftChunkConnection final : public ChunkConnection {
 public:
  explicit ThriftChunkConnection(const RpcClientOptions& options) : pool_(options) {}

  Result<std::string> ReadChunk(const HostPort& server,
                                const rpc::ReadChunkRequest& request) override {
    std::string data;
    RETURN_IF_ERROR(CallWithReconnect(
        server, [&](rpc::ChunkServerServiceClient& c) { c.readChunk(data, request); }));
    return data;
  }

  Status WriteChunk(const HostPort& server, const rpc::WriteChunkRequest& request) override {
    return CallWithReconnect(server,
                             [&](rpc::ChunkServerServiceClient& c) { c.writeChunk(request); });
  }

  Status SyncChunk(const HostPort& server, const rpc::SyncChunkRequest& request) override {
    return CallWithReconnect(server,
                             [&](rpc::ChunkServerServiceClient& c) { c.syncChunk(request); });
  }

 private:
  template <typename F>
  Status CallWithReconnect(const HostPort& server, F&& call) {
    RpcOutcome outcome = pool_.Call(server, call);
    if (outcome.connection_broken) {
      // The idle connection may predate a restart of the server: one fresh attempt.
      pool_.Forget(server);
      outcome = pool_.Call(server, call);
    }
    return outcome.status;
  }

  RpcClientPool<rpc::ChunkServerServiceClient> pool_;
};

}  // namespace

std::unique_ptr<ChunkConnection> NewThriftChunkConnection(const RpcClientOptions& options) {
  return std::make_unique<ThriftChunkConnection>(options);
}

}  // namespace tessera::client
