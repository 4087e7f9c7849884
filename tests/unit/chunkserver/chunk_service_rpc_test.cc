// ChunkService behind real RpcServers on 127.0.0.1: chain replication, validation at the RPC
// edge, corruption reporting and long-lived connections moving more than 1 GiB.
#include "chunkserver/chunk_service.h"

#include <gtest/gtest.h>

#include <fstream>

#include "common/names.h"
#include "common/rpc_client.h"
#include "common/rpc_server.h"
#include "tests/unit/chunkserver/test_util.h"

namespace tessera {
namespace {

using testing::FreeLoopbackPort;
using testing::RandomBytes;
using testing::TempDir;

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

std::unique_ptr<rpc::ChunkServerServiceClient> Connect(const HostPort& address) {
  auto protocol = OpenRpcProtocol(address, RpcClientOptions{});
  EXPECT_TRUE(protocol.ok()) << protocol.status().ToString();
  return std::make_unique<rpc::ChunkServerServiceClient>(*protocol);
}

rpc::WriteChunkRequest MakeWrite(int64_t chunk_id, int64_t version, int64_t offset,
                                 std::string data) {
  rpc::WriteChunkRequest request;
  request.chunk_id = chunk_id;
  request.version = version;
  request.offset = offset;
  request.data = std::move(data);
  request.request_id = "test";
  return request;
}

rpc::ReadChunkRequest MakeRead(int64_t chunk_id, int64_t version, int64_t offset,
                               int32_t length) {
  rpc::ReadChunkRequest request;
  request.chunk_id = chunk_id;
  request.version = version;
  request.offset = offset;
  request.length = length;
  request.request_id = "test";
  return request;
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

class ChunkServiceRpcTest : public ::testing::Test {
 protected:
  void SetUp() override {
    primary_.Start();
    secondary_.Start();
  }
  ServerUnderTest primary_;
  ServerUnderTest secondary_;
};

TEST_F(ChunkServiceRpcTest, WriteThroughChainOfTwoReadsBackFromBoth) {
  auto client = Connect(primary_.address);
  std::string data = RandomBytes(3 << 20, 1);
  rpc::WriteChunkRequest write = MakeWrite(77, 1, 1000, data);
  write.downstream = {secondary_.AsReplica()};
  write.sync = true;
  client->writeChunk(write);

  for (ServerUnderTest* server : {&primary_, &secondary_}) {
    auto reader = Connect(server->address);
    std::string back;
    reader->readChunk(back, MakeRead(77, 1, 1000, 4 << 20));
    EXPECT_EQ(back, data) << server->address.ToString();
    std::string prefix;
    reader->readChunk(prefix, MakeRead(77, 1, 0, 1000));
    EXPECT_EQ(prefix, std::string(1000, '\0'));
  }

  rpc::SyncChunkRequest sync;
  sync.chunk_id = 77;
  sync.version = 1;
  sync.downstream = {secondary_.AsReplica()};
  client->syncChunk(sync);

  rpc::ChunkServerStats stats;
  client->stats(stats);
  EXPECT_EQ(stats.chunk_count, 1);
  EXPECT_EQ(stats.data_dirs_ok, 1);
  EXPECT_GT(stats.free_bytes, 0);
}

TEST_F(ChunkServiceRpcTest, DownstreamFailureIsNeverSuccess) {
  auto client = Connect(primary_.address);
  rpc::ChunkServerAddress dead;
  dead.host = "127.0.0.1";
  dead.port = FreeLoopbackPort();  // nobody listens there
  rpc::WriteChunkRequest write = MakeWrite(5, 1, 0, "hello");
  write.downstream = {dead};
  std::string message;
  EXPECT_EQ(CodeOf([&] { client->writeChunk(write); }, &message), rpc::ErrorCode::IO_ERROR);
  EXPECT_NE(message.find("replica 127.0.0.1:" + std::to_string(dead.port) + " failed"),
            std::string::npos)
      << message;

  // A stale replica downstream also fails the write.
  ASSERT_TRUE(secondary_.store->Write(6, 9, 0, testing::Bytes(std::string("new")), false).ok());
  rpc::WriteChunkRequest stale = MakeWrite(6, 2, 0, "old");
  stale.downstream = {secondary_.AsReplica()};
  EXPECT_EQ(CodeOf([&] { client->writeChunk(stale); }, &message), rpc::ErrorCode::IO_ERROR);
  EXPECT_NE(message.find("STALE_VERSION"), std::string::npos) << message;
}

TEST_F(ChunkServiceRpcTest, BadRequestsAreRejectedAndServerKeepsServing) {
  auto client = Connect(primary_.address);
  std::string ignored;
  EXPECT_EQ(CodeOf([&] { client->writeChunk(MakeWrite(1, 1, -1, "x")); }),
            rpc::ErrorCode::INVALID_ARGUMENT);
  EXPECT_EQ(CodeOf([&] { client->writeChunk(MakeWrite(0, 1, 0, "x")); }),
            rpc::ErrorCode::INVALID_ARGUMENT);
  EXPECT_EQ(CodeOf([&] { client->writeChunk(MakeWrite(1, 0, 0, "x")); }),
            rpc::ErrorCode::INVALID_ARGUMENT);
  EXPECT_EQ(CodeOf([&] { client->writeChunk(MakeWrite(1, 1, kChunkSize - 1, "xy")); }),
            rpc::ErrorCode::INVALID_ARGUMENT);
  EXPECT_EQ(CodeOf([&] { client->writeChunk(MakeWrite(1, 1, 0, std::string((4 << 20) + 1, 'x'))); }),
            rpc::ErrorCode::INVALID_ARGUMENT);
  rpc::WriteChunkRequest long_chain = MakeWrite(1, 1, 0, "x");
  long_chain.downstream.assign(17, secondary_.AsReplica());
  EXPECT_EQ(CodeOf([&] { client->writeChunk(long_chain); }), rpc::ErrorCode::INVALID_ARGUMENT);
  rpc::WriteChunkRequest bad_port = MakeWrite(1, 1, 0, "x");
  bad_port.downstream = {secondary_.AsReplica()};
  bad_port.downstream[0].port = 70000;
  EXPECT_EQ(CodeOf([&] { client->writeChunk(bad_port); }), rpc::ErrorCode::INVALID_ARGUMENT);

  EXPECT_EQ(CodeOf([&] { client->readChunk(ignored, MakeRead(1, 1, -5, 10)); }),
            rpc::ErrorCode::INVALID_ARGUMENT);
  EXPECT_EQ(CodeOf([&] { client->readChunk(ignored, MakeRead(1, 1, 0, (4 << 20) + 1)); }),
            rpc::ErrorCode::INVALID_ARGUMENT);
  EXPECT_EQ(CodeOf([&] { client->readChunk(ignored, MakeRead(1, 1, 0, 0)); }),
            rpc::ErrorCode::INVALID_ARGUMENT);
  EXPECT_EQ(CodeOf([&] { client->readChunk(ignored, MakeRead(0, 1, 0, 10)); }),
            rpc::ErrorCode::INVALID_ARGUMENT);
  EXPECT_EQ(CodeOf([&] { client->readChunk(ignored, MakeRead(1, 1, 0, 10)); }),
            rpc::ErrorCode::NOT_FOUND);
  rpc::SyncChunkRequest sync;
  sync.chunk_id = -3;
  sync.version = 1;
  EXPECT_EQ(CodeOf([&] { client->syncChunk(sync); }), rpc::ErrorCode::INVALID_ARGUMENT);

  // Nothing was created by the refused writes, and the same connection still works.
  EXPECT_EQ(primary_.store->chunk_count(), 0);
  client->writeChunk(MakeWrite(1, 1, 0, "fine"));
  std::string back;
  client->readChunk(back, MakeRead(1, 1, 0, 100));
  EXPECT_EQ(back, "fine");
}

TEST_F(ChunkServiceRpcTest, CorruptionOnDiskFailsTheReadAndIsCounted) {
  auto client = Connect(primary_.address);
  std::string data = RandomBytes(4 * kChecksumBlockSize, 2);
  client->writeChunk(MakeWrite(8, 1, 0, data));
  {
    std::fstream f(ChunkStore::ChunkPath(primary_.dir.path(), 8),
                   std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(16384 + 2 * kChecksumBlockSize + 3);
    f.put(static_cast<char>(data[2 * kChecksumBlockSize + 3] ^ 0x01));
  }
  std::string back;
  std::string message;
  EXPECT_EQ(CodeOf([&] { client->readChunk(back, MakeRead(8, 1, 0, 4 << 20)); }, &message),
            rpc::ErrorCode::CORRUPTION);
  EXPECT_NE(message.find("block 2"), std::string::npos) << message;
  EXPECT_EQ(primary_.service->corruptions_detected(), 1);
  client->readChunk(back, MakeRead(8, 1, 0, 2 * kChecksumBlockSize));
  EXPECT_EQ(back, data.substr(0, 2 * kChecksumBlockSize));
}

TEST_F(ChunkServiceRpcTest, MoreThanOneGiBOverOneConnection) {
  constexpr int32_t kRange = 4 << 20;
  constexpr int kReads = 300;  // 1.2 GiB, past Thrift's 100 MB per-connection default budget
  std::string data = RandomBytes(kRange, 3);
  auto client = Connect(primary_.address);
  client->writeChunk(MakeWrite(11, 1, 0, data));
  int64_t moved = 0;
  for (int i = 0; i < kReads; ++i) {
    std::string back;
    ASSERT_NO_THROW(client->readChunk(back, MakeRead(11, 1, 0, kRange))) << "read " << i;
    ASSERT_EQ(back.size(), data.size());
    moved += static_cast<int64_t>(back.size());
  }
  EXPECT_GT(moved, int64_t{1} << 30);
  std::string back;
  client->readChunk(back, MakeRead(11, 1, 0, kRange));
  EXPECT_EQ(back, data);
}

}  // namespace
}  // namespace tessera
