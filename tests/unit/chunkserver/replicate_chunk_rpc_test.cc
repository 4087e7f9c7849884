// ChunkServerService.replicateChunk between real chunk servers on 127.0.0.1: a multi-MiB copy
// arrives byte for byte, a source with a flipped byte on disk is passed over for the next one,
// and when every source is bad the target says why and shows nothing.
#include <gtest/gtest.h>

#include "chunkserver/chunk_service.h"
#include "common/names.h"
#include "tests/unit/chunkserver/rpc_test_util.h"
#include "tests/unit/chunkserver/test_util.h"

namespace tessera {
namespace {

using testing::CodeOf;
using testing::Connect;
using testing::FilesIn;
using testing::FlipDataByte;
using testing::FreeLoopbackPort;
using testing::MakeRead;
using testing::MakeWrite;
using testing::RandomBytes;
using testing::ServerUnderTest;

constexpr int64_t kMiB = int64_t{1} << 20;

rpc::ReplicateChunkRequest MakeReplicate(int64_t chunk_id, int64_t version,
                                         std::vector<rpc::ChunkServerAddress> sources) {
  rpc::ReplicateChunkRequest request;
  request.chunk_id = chunk_id;
  request.version = version;
  request.sources = std::move(sources);
  request.request_id = "test-replicate";
  return request;
}

// Writes `data` as the chunk through `server` (and its downstream), in 4 MiB pieces, synced.
void WriteChunk(const ServerUnderTest& server, int64_t chunk_id, int64_t version,
                const std::string& data, std::vector<rpc::ChunkServerAddress> downstream = {}) {
  auto client = Connect(server.address);
  for (int64_t at = 0; at < static_cast<int64_t>(data.size()); at += kMaxIoBytes) {
    rpc::WriteChunkRequest write = MakeWrite(chunk_id, version, at, data.substr(at, kMaxIoBytes));
    write.downstream = downstream;
    write.sync = true;
    client->writeChunk(write);
  }
}

// The whole chunk as `server` serves it, read in 4 MiB pieces.
std::string ReadChunk(const ServerUnderTest& server, int64_t chunk_id, int64_t version) {
  auto client = Connect(server.address);
  std::string all;
  for (;;) {
    std::string piece;
    client->readChunk(piece, MakeRead(chunk_id, version, all.size(), kMaxIoBytes));
    all += piece;
    if (static_cast<int64_t>(piece.size()) < kMaxIoBytes) return all;
  }
}

class ReplicateChunkRpcTest : public ::testing::Test {
 protected:
  void SetUp() override {
    source_a_.Start();
    source_b_.Start();
    target_.Start();
  }
  void ExpectNothingOnTarget() {
    EXPECT_TRUE(target_.store->ListChunks().empty());
    EXPECT_TRUE(target_.store->TakeChanges().added.empty());
    EXPECT_TRUE(FilesIn(target_.dir.path() + "/incoming").empty());
    rpc::ChunkServerStats stats;
    Connect(target_.address)->stats(stats);
    EXPECT_EQ(stats.chunk_count, 0);
  }

  ServerUnderTest source_a_;
  ServerUnderTest source_b_;
  ServerUnderTest target_;
};

TEST_F(ReplicateChunkRpcTest, CopiesAMultiMiBChunkByteForByteAndARepeatCopiesNothing) {
  const std::string data = RandomBytes(10 * kMiB + 777, 1);
  WriteChunk(source_a_, 21, 2, data);
  auto client = Connect(target_.address);
  rpc::ReplicateChunkReply reply;
  client->replicateChunk(reply, MakeReplicate(21, 2, {source_a_.AsReplica()}));
  EXPECT_EQ(reply.length, static_cast<int64_t>(data.size()));
  EXPECT_EQ(reply.bytes_copied, static_cast<int64_t>(data.size()));
  EXPECT_EQ(ReadChunk(target_, 21, 2), data);
  const ChunkRecord record{21, 2, static_cast<int64_t>(data.size())};
  EXPECT_EQ(target_.store->TakeChanges().added, std::vector<ChunkRecord>{record});

  rpc::ReplicateChunkReply again;
  client->replicateChunk(again, MakeReplicate(21, 2, {source_a_.AsReplica()}));
  EXPECT_EQ(again.length, record.length);
  EXPECT_EQ(again.bytes_copied, 0);
  EXPECT_TRUE(target_.store->TakeChanges().added.empty());

  ReplicationCounters counters = target_.service->replication_counters();
  EXPECT_EQ(counters.done, 1);
  EXPECT_EQ(counters.failed, 0);
  EXPECT_EQ(counters.bytes_copied, record.length);
  rpc::ChunkServerStats stats;
  client->stats(stats);
  EXPECT_EQ(stats.chunk_count, 1);
}

TEST_F(ReplicateChunkRpcTest, SourceWithAFlippedByteFailsWithCorruptionAndTheNextIsUsed) {
  const std::string data = RandomBytes(9 * kMiB, 2);
  WriteChunk(source_a_, 21, 2, data, {source_b_.AsReplica()});
  // In the second 4 MiB piece: the first piece of A is copied before A fails.
  FlipDataByte(ChunkStore::ChunkPath(source_a_.dir.path(), 21), 5 * kMiB + 10);

  auto client = Connect(target_.address);
  rpc::ReplicateChunkReply reply;
  client->replicateChunk(reply,
                         MakeReplicate(21, 2, {source_a_.AsReplica(), source_b_.AsReplica()}));
  EXPECT_EQ(reply.bytes_copied, static_cast<int64_t>(data.size()));
  EXPECT_EQ(ReadChunk(target_, 21, 2), data);
  EXPECT_EQ(source_a_.service->corruptions_detected(), 1);
  EXPECT_EQ(source_b_.service->corruptions_detected(), 0);
  EXPECT_TRUE(FilesIn(target_.dir.path() + "/incoming").empty());
}

TEST_F(ReplicateChunkRpcTest, AllSourcesBadIsAClearErrorAndNothingIsVisibleOnTheTarget) {
  const std::string data = RandomBytes(6 * kMiB, 3);
  WriteChunk(source_a_, 21, 2, data);
  FlipDataByte(ChunkStore::ChunkPath(source_a_.dir.path(), 21), 100);
  WriteChunk(source_b_, 21, 1, data);  // missed the last write lease
  rpc::ChunkServerAddress dead;
  dead.host = "127.0.0.1";
  dead.port = FreeLoopbackPort();  // nobody listens there

  auto client = Connect(target_.address);
  std::string message;
  rpc::ReplicateChunkReply reply;
  EXPECT_EQ(CodeOf(
                [&] {
                  client->replicateChunk(
                      reply,
                      MakeReplicate(21, 2, {source_a_.AsReplica(), dead, source_b_.AsReplica()}));
                },
                &message),
            rpc::ErrorCode::IO_ERROR);
  EXPECT_NE(message.find("no source could supply chunk 21 version 2"), std::string::npos)
      << message;
  EXPECT_NE(message.find(source_a_.address.ToString() + ": CORRUPTION"), std::string::npos)
      << message;
  EXPECT_NE(message.find(dead.host + ":" + std::to_string(dead.port) + ": UNAVAILABLE"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find(source_b_.address.ToString() + ": STALE_VERSION"), std::string::npos)
      << message;
  ExpectNothingOnTarget();
  EXPECT_EQ(target_.service->replication_counters().failed, 1);
  EXPECT_EQ(target_.service->replication_counters().bytes_copied, 0);
}

TEST_F(ReplicateChunkRpcTest, BadRequestsAreRejectedAndTheServerKeepsServing) {
  auto client = Connect(target_.address);
  rpc::ReplicateChunkReply reply;
  auto code_of = [&](const rpc::ReplicateChunkRequest& request) {
    return CodeOf([&] { client->replicateChunk(reply, request); });
  };
  const rpc::ChunkServerAddress good = source_a_.AsReplica();
  EXPECT_EQ(code_of(MakeReplicate(0, 1, {good})), rpc::ErrorCode::INVALID_ARGUMENT);
  EXPECT_EQ(code_of(MakeReplicate(-4, 1, {good})), rpc::ErrorCode::INVALID_ARGUMENT);
  EXPECT_EQ(code_of(MakeReplicate(1, 0, {good})), rpc::ErrorCode::INVALID_ARGUMENT);
  EXPECT_EQ(code_of(MakeReplicate(1, 1, {})), rpc::ErrorCode::INVALID_ARGUMENT);
  EXPECT_EQ(code_of(MakeReplicate(1, 1, std::vector<rpc::ChunkServerAddress>(17, good))),
            rpc::ErrorCode::INVALID_ARGUMENT);
  for (const char* host : {"", "a/b", "a b"}) {
    rpc::ChunkServerAddress bad = good;
    bad.host = host;
    EXPECT_EQ(code_of(MakeReplicate(1, 1, {bad})), rpc::ErrorCode::INVALID_ARGUMENT) << host;
  }
  for (int port : {0, -1, 65536}) {
    rpc::ChunkServerAddress bad = good;
    bad.port = port;
    EXPECT_EQ(code_of(MakeReplicate(1, 1, {bad})), rpc::ErrorCode::INVALID_ARGUMENT) << port;
  }
  rpc::ReplicateChunkRequest long_id = MakeReplicate(1, 1, {good});
  long_id.request_id.assign(129, 'r');
  EXPECT_EQ(code_of(long_id), rpc::ErrorCode::INVALID_ARGUMENT);
  ExpectNothingOnTarget();

  // Sixteen sources are fine, and so is the same connection after the refusals.
  WriteChunk(source_a_, 1, 1, "sixteen");
  client->replicateChunk(reply,
                         MakeReplicate(1, 1, std::vector<rpc::ChunkServerAddress>(16, good)));
  EXPECT_EQ(reply.length, 7);
  EXPECT_EQ(ReadChunk(target_, 1, 1), "sixteen");
}

}  // namespace
}  // namespace tessera
