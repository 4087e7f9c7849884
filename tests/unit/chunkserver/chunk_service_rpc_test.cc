// ChunkService behind real RpcServers on 127.0.0.1: chain replication, validation at the RPC
// edge, corruption reporting and long-lived connections moving more than 1 GiB.
#include "chunkserver/chunk_service.h"

#include <gtest/gtest.h>

#include "common/names.h"
#include "tests/unit/chunkserver/rpc_test_util.h"
#include "tests/unit/chunkserver/test_util.h"

namespace tessera {
namespace {

using testing::CodeOf;
using testing::Connect;
using testing::FlipDataByte;
using testing::FilesIn;
using testing::FreeLoopbackPort;
using testing::MakeRead;
using testing::MakeWrite;
using testing::RandomBytes;
using testing::ServerUnderTest;

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

TEST_F(ChunkServiceRpcTest, CorruptionOnDiskFailsTheReadIsCountedAndSetsTheChunkAside) {
  auto client = Connect(primary_.address);
  std::string data = RandomBytes(4 * kChecksumBlockSize, 2);
  client->writeChunk(MakeWrite(8, 1, 0, data));
  FlipDataByte(ChunkStore::ChunkPath(primary_.dir.path(), 8), 2 * kChecksumBlockSize + 3);
  std::string back;
  std::string message;
  EXPECT_EQ(CodeOf([&] { client->readChunk(back, MakeRead(8, 1, 0, 4 << 20)); }, &message),
            rpc::ErrorCode::CORRUPTION);
  EXPECT_NE(message.find("block 2"), std::string::npos) << message;
  EXPECT_EQ(primary_.service->corruptions_detected(), 1);
  // The bad copy is set aside: never served again, not even its good blocks.
  EXPECT_EQ(CodeOf([&] { client->readChunk(back, MakeRead(8, 1, 0, 2 * kChecksumBlockSize)); },
                   &message),
            rpc::ErrorCode::NOT_FOUND);
  EXPECT_EQ(FilesIn(primary_.dir.path() + "/corrupt").size(), 1u);
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
