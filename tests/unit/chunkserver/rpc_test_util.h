// Chunk servers for RPC-level tests: a ChunkStore in a temporary directory behind a real
// RpcServer on 127.0.0.1, clients for it, request builders and the error code a call threw.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <string>

#include "chunkserver/chunk_file.h"
#include "chunkserver/chunk_service.h"
#include "common/rpc_client.h"
#include "common/rpc_server.h"
#include "tests/unit/chunkserver/test_util.h"

namespace tessera::testing {

struct ServerUnderTest {
  TempDir dir;
  std::unique_ptr<ChunkStore> store;
  std::shared_ptr<ChunkService> service;
  std::unique_ptr<RpcServer> server;
  HostPort address;

  void Start() {
    store = std::move(ChunkStore::Open({dir.path()})).value();
    service = std::make_shared<ChunkService>(store.get());
    address = HostPort{"127.0.0.1", FreeLoopbackPort()};
    server = std::make_unique<RpcServer>(
        std::make_shared<rpc::ChunkServerServiceProcessorFactory>(
            std::make_shared<rpc::ChunkServerServiceIfSingletonFactory>(service)),
        address);
    Status started = server->Start();
    ASSERT_TRUE(started.ok()) << started.ToString();
  }
  rpc::ChunkServerAddress AsReplica() const {
    rpc::ChunkServerAddress replica;
    replica.host = address.host;
    replica.port = address.port;
    return replica;
  }
};

inline std::unique_ptr<rpc::ChunkServerServiceClient> Connect(const HostPort& address) {
  auto protocol = OpenRpcProtocol(address, RpcClientOptions{});
  EXPECT_TRUE(protocol.ok()) << protocol.status().ToString();
  return std::make_unique<rpc::ChunkServerServiceClient>(*protocol);
}

inline rpc::WriteChunkRequest MakeWrite(int64_t chunk_id, int64_t version, int64_t offset,
                                        std::string data) {
  rpc::WriteChunkRequest request;
  request.chunk_id = chunk_id;
  request.version = version;
  request.offset = offset;
  request.data = std::move(data);
  request.request_id = "test";
  return request;
}

inline rpc::ReadChunkRequest MakeRead(int64_t chunk_id, int64_t version, int64_t offset,
                                      int32_t length) {
  rpc::ReadChunkRequest request;
  request.chunk_id = chunk_id;
  request.version = version;
  request.offset = offset;
  request.length = length;
  request.request_id = "test";
  return request;
}

// Flips the lowest bit of the chunk data byte at `offset` in the chunk file at `path`.
inline void FlipDataByte(const std::string& path, int64_t offset) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(kChunkHeaderSize + offset);
  const char byte = static_cast<char>(f.get());
  f.seekp(kChunkHeaderSize + offset);
  f.put(static_cast<char>(byte ^ 0x01));
  ASSERT_TRUE(f.good()) << "cannot flip a byte of " << path;
}

// The error code a call threw, or OK when it returned normally.
template <typename F>
rpc::ErrorCode::type CodeOf(F&& call, std::string* message = nullptr) {
  try {
    call();
    return rpc::ErrorCode::OK;
  } catch (const rpc::TesseraError& e) {
    if (message) *message = e.message;
    return e.code;
  }
}

}  // namespace tessera::testing
