// prepareWrite + writeChunk through the 3-replica chain + readChunk from every replica; a chunk
// server killed before a chained write makes that write fail.
#include <gtest/gtest.h>
#include <signal.h>

#include <cstdio>
#include <filesystem>
#include <random>
#include <set>

#include "common/names.h"
#include "tests/integration/cluster_test_fixture.h"

namespace tessera::testing {
namespace {

std::string RandomData(size_t size, uint32_t seed) {
  std::mt19937_64 random(seed);
  std::string data(size, '\0');
  for (size_t i = 0; i < size; i += 8) {
    uint64_t word = random();
    for (size_t j = 0; j < 8 && i + j < size; ++j) data[i + j] = static_cast<char>(word >> (8 * j));
  }
  return data;
}

// DATA_DIR/chunks/XX/<id as 16 lowercase hex digits>.chunk, XX = lowest byte of the id.
std::string ChunkPath(const std::string& data_dir, int64_t chunk_id) {
  char name[64];
  std::snprintf(name, sizeof(name), "chunks/%02x/%016llx.chunk",
                static_cast<unsigned>(chunk_id & 0xff), static_cast<unsigned long long>(chunk_id));
  return data_dir + "/" + name;
}

class ChainWriteTest : public ClusterTest {
 protected:
  rpc::WriteChunkRequest ChainedWrite(const rpc::ChunkInfo& chunk, int64_t offset,
                                      std::string data) {
    rpc::WriteChunkRequest request;
    request.chunk_id = chunk.chunk_id;
    request.version = chunk.version;
    request.offset = offset;
    request.data = std::move(data);
    request.downstream.assign(chunk.replicas.begin() + 1, chunk.replicas.end());
    request.sync = true;
    request.request_id = "chain-" + std::to_string(offset);
    return request;
  }

  Result<std::string> ReadFrom(const rpc::ChunkServerAddress& replica, const rpc::ChunkInfo& chunk,
                               int64_t offset, int32_t length) {
    rpc::ReadChunkRequest request;
    request.chunk_id = chunk.chunk_id;
    request.version = chunk.version;
    request.offset = offset;
    request.length = length;
    request.request_id = "read-" + std::to_string(replica.port);
    return ReadChunk(AddressOf(replica), request);
  }

  // A new file's first chunk, placed on three distinct chunk servers of this cluster.
  rpc::ChunkInfo NewChunk(const std::string& name, int64_t* inode) {
    Result<rpc::Attr> file = Create(kRootInode, name);
    EXPECT_TRUE(file.ok()) << file.status().ToString();
    if (!file.ok()) return {};
    *inode = file->inode;
    Result<rpc::ChunkInfo> chunk = PrepareWrite(file->inode, 0);
    EXPECT_TRUE(chunk.ok()) << chunk.status().ToString();
    if (!chunk.ok()) return {};
    EXPECT_EQ(chunk->chunk_index, 0);
    EXPECT_GT(chunk->chunk_id, 0);
    EXPECT_EQ(chunk->replicas.size(), 3u) << "goal 3 on 3 chunk servers";
    std::set<int> ports;
    for (const rpc::ChunkServerAddress& replica : chunk->replicas) {
      EXPECT_TRUE(cluster_->ChunkServerIndexByPort(replica.port).ok()) << replica.port;
      ports.insert(replica.port);
    }
    EXPECT_EQ(ports.size(), chunk->replicas.size()) << "replicas must be on distinct servers";
    return *chunk;
  }
};

TEST_F(ChainWriteTest, WriteThroughChainAndReadFromEveryReplica) {
  int64_t inode = 0;
  rpc::ChunkInfo chunk = NewChunk("chained", &inode);
  ASSERT_EQ(chunk.replicas.size(), 3u);
  const std::string first = RandomData(1 << 20, 11);
  const std::string second = RandomData((1 << 20) + 123, 12);  // not block aligned
  const HostPort primary = AddressOf(chunk.replicas[0]);
  ASSERT_TRUE(WriteChunk(primary, ChainedWrite(chunk, 0, first)).ok());
  Status written = WriteChunk(primary, ChainedWrite(chunk, first.size(), second));
  ASSERT_TRUE(written.ok()) << written.ToString();
  const std::string expected = first + second;

  for (const rpc::ChunkServerAddress& replica : chunk.replicas) {
    SCOPED_TRACE("replica on port " + std::to_string(replica.port));
    std::string read_back;
    while (read_back.size() < expected.size()) {
      Result<std::string> piece = ReadFrom(replica, chunk, read_back.size(), 1 << 20);
      ASSERT_TRUE(piece.ok()) << piece.status().ToString();
      ASSERT_FALSE(piece->empty()) << "short read at " << read_back.size();
      read_back += *piece;
    }
    EXPECT_EQ(read_back.size(), expected.size());
    EXPECT_TRUE(read_back == expected) << "replica data differs from what was written";
    // Past the end of the chunk's data: nothing.
    Result<std::string> past_end = ReadFrom(replica, chunk, expected.size(), 4096);
    ASSERT_TRUE(past_end.ok()) << past_end.status().ToString();
    EXPECT_TRUE(past_end->empty());
    // A stale version is never read.
    rpc::ChunkInfo newer = chunk;
    newer.version = chunk.version + 1;
    EXPECT_FALSE(ReadFrom(replica, newer, 0, 10).ok());
    // The chunk file is where the layout rule puts it.
    Result<int> index = cluster_->ChunkServerIndexByPort(replica.port);
    ASSERT_TRUE(index.ok());
    std::string path = ChunkPath(cluster_->chunk_server_data_dir(*index), chunk.chunk_id);
    EXPECT_TRUE(std::filesystem::exists(path)) << path;
  }

  Result<rpc::Attr> committed = CommitWrite(inode, expected.size(), 1'700'000'000'000'000'000);
  ASSERT_TRUE(committed.ok()) << committed.status().ToString();
  EXPECT_EQ(committed->size, static_cast<int64_t>(expected.size()));
  Result<std::vector<rpc::ChunkInfo>> chunks = GetChunks(inode, 0, 4);
  ASSERT_TRUE(chunks.ok()) << chunks.status().ToString();
  ASSERT_EQ(chunks->size(), 1u);
  EXPECT_EQ((*chunks)[0].chunk_id, chunk.chunk_id);
  EXPECT_EQ((*chunks)[0].replicas.size(), 3u);
}

TEST_F(ChainWriteTest, MoreThanOneGiBOverOneConnection) {
  // DESIGN.md "Known pitfalls": Thrift's per-connection byte budget must not end a long-lived
  // data connection. 260 writes and 260 reads of 4 MiB move > 1 GiB each way between this
  // client and one chunk server over one pooled connection (the pool reuses its idle one).
  int64_t inode = 0;
  rpc::ChunkInfo chunk = NewChunk("big-traffic", &inode);
  ASSERT_EQ(chunk.replicas.size(), 3u);
  const std::string data = RandomData(kMaxIoBytes, 21);
  const HostPort primary = AddressOf(chunk.replicas[0]);
  ASSERT_TRUE(WriteChunk(primary, ChainedWrite(chunk, 0, data)).ok());
  rpc::WriteChunkRequest local_write = ChainedWrite(chunk, 0, data);
  local_write.downstream.clear();  // only the server under test receives the bytes
  local_write.sync = false;
  for (int i = 0; i < 260; ++i) {
    Status written = WriteChunk(primary, local_write);
    ASSERT_TRUE(written.ok()) << "write " << i << ": " << written.ToString();
  }
  for (int i = 0; i < 260; ++i) {
    Result<std::string> read =
        ReadFrom(chunk.replicas[0], chunk, 0, static_cast<int32_t>(kMaxIoBytes));
    ASSERT_TRUE(read.ok()) << "read " << i << ": " << read.status().ToString();
    ASSERT_EQ(read->size(), data.size());
  }
}

TEST_F(ChainWriteTest, KilledDownstreamReplicaFailsTheWrite) {
  for (int victim_position : {2, 1}) {
    SCOPED_TRACE("killed replica at chain position " + std::to_string(victim_position));
    int64_t inode = 0;
    rpc::ChunkInfo chunk = NewChunk("victim" + std::to_string(victim_position), &inode);
    ASSERT_EQ(chunk.replicas.size(), 3u);
    Result<int> victim = cluster_->ChunkServerIndexByPort(chunk.replicas[victim_position].port);
    ASSERT_TRUE(victim.ok());
    ASSERT_TRUE(cluster_->chunk_server(*victim).Kill().ok());
    Status written =
        WriteChunk(AddressOf(chunk.replicas[0]), ChainedWrite(chunk, 0, RandomData(65536, 3)));
    EXPECT_FALSE(written.ok()) << "a write through a dead replica must never succeed";
    // The primary survives its downstream's death and keeps serving.
    Result<int> primary = cluster_->ChunkServerIndexByPort(chunk.replicas[0].port);
    ASSERT_TRUE(primary.ok());
    EXPECT_TRUE(cluster_->chunk_server(*primary).Running());
    EXPECT_TRUE(ChunkServerStats(AddressOf(chunk.replicas[0])).ok());
    ASSERT_TRUE(cluster_->RestartChunkServer(*victim).ok());
    ASSERT_TRUE(cluster_->WaitForExactlyAliveChunkServers(3, std::chrono::seconds(30)).ok());
  }
}

TEST_F(ChainWriteTest, KilledPrimaryFailsTheWrite) {
  int64_t inode = 0;
  rpc::ChunkInfo chunk = NewChunk("dead-primary", &inode);
  ASSERT_EQ(chunk.replicas.size(), 3u);
  Result<int> victim = cluster_->ChunkServerIndexByPort(chunk.replicas[0].port);
  ASSERT_TRUE(victim.ok());
  ASSERT_TRUE(cluster_->chunk_server(*victim).Kill().ok());
  EXPECT_FALSE(WriteChunk(AddressOf(chunk.replicas[0]), ChainedWrite(chunk, 0, "data")).ok());
}

}  // namespace
}  // namespace tessera::testing
