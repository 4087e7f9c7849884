// Where a chunk being replicated is read from: the chunk servers that hold it. An interface so
// that the replicator runs in tests without sockets; RpcChunkSource is the real one.
//
// Thread-safety: implementations are safe for concurrent calls.
#pragma once

#include <string>

#include "common/address.h"
#include "common/rpc_client.h"
#include "common/status.h"
#include "gen-cpp/ChunkServerService.h"

namespace tessera {

class ChunkSource {
 public:
  virtual ~ChunkSource() = default;
  // ChunkServerService.readChunk on the chunk server at `address`: the bytes, or the Status it
  // answered (kUnavailable when it cannot be reached).
  virtual Result<std::string> ReadChunk(const HostPort& address,
                                        const rpc::ReadChunkRequest& request) = 0;
};

// readChunk over pooled Thrift connections. The pool must outlive this source.
class RpcChunkSource final : public ChunkSource {
 public:
  explicit RpcChunkSource(RpcClientPool<rpc::ChunkServerServiceClient>* pool) : pool_(pool) {}

  Result<std::string> ReadChunk(const HostPort& address,
                                const rpc::ReadChunkRequest& request) override;

 private:
  RpcClientPool<rpc::ChunkServerServiceClient>* const pool_;
};

}  // namespace tessera
