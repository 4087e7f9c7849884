// Invalid RPC fields get INVALID_ARGUMENT / NAME_TOO_LONG, and the daemon keeps serving.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

#include "common/names.h"
#include "tests/integration/cluster_test_fixture.h"

namespace tessera::testing {
namespace {

constexpr int64_t kHuge = std::numeric_limits<int64_t>::max();

class BadInputTest : public ClusterTest {
 protected:
  // After every batch of bad requests the daemons must still be alive and answer normally.
  void ExpectClusterStillServes() {
    EXPECT_TRUE(cluster_->master().Running()) << "the master died";
    Result<rpc::Attr> root = GetAttr(kRootInode);
    EXPECT_TRUE(root.ok()) << root.status().ToString();
    for (int i = 0; i < cluster_->chunk_server_count(); ++i) {
      EXPECT_TRUE(cluster_->chunk_server(i).Running()) << "chunk server " << i << " died";
      Result<rpc::ChunkServerStats> stats = ChunkServerStats(cluster_->chunk_server_address(i));
      EXPECT_TRUE(stats.ok()) << stats.status().ToString();
    }
  }
};

TEST_F(BadInputTest, InvalidNamesAreRejected) {
  const std::string too_long(256, 'n');
  const std::string with_nul("a\0b", 3);
  for (const std::string& name :
       {std::string(""), std::string("a/b"), std::string("."), std::string(".."), with_nul}) {
    SCOPED_TRACE("name '" + name + "'");
    EXPECT_EQ(Mkdir(kRootInode, name).status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(Create(kRootInode, name).status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(Rename(kRootInode, "ignored", kRootInode, name).code(), StatusCode::kInvalidArgument);
  }
  EXPECT_EQ(Mkdir(kRootInode, too_long).status().code(), StatusCode::kNameTooLong);
  EXPECT_EQ(Create(kRootInode, too_long).status().code(), StatusCode::kNameTooLong);
  EXPECT_EQ(Lookup(kRootInode, too_long).status().code(), StatusCode::kNameTooLong);
  // 255 bytes is the longest legal name.
  EXPECT_TRUE(Create(kRootInode, std::string(255, 'n')).ok());
  ExpectClusterStillServes();
}

TEST_F(BadInputTest, NegativeAndZeroInodesAreRejected) {
  for (int64_t inode : {int64_t{-1}, int64_t{0}, std::numeric_limits<int64_t>::min()}) {
    SCOPED_TRACE("inode " + std::to_string(inode));
    StatusCode code = GetAttr(inode).status().code();
    EXPECT_TRUE(code == StatusCode::kInvalidArgument ||
                (inode == 0 && code == StatusCode::kNotFound))
        << StatusCodeName(code);
    EXPECT_FALSE(Mkdir(inode, "x").ok());
    EXPECT_FALSE(Readdir(inode).ok());
    EXPECT_FALSE(PrepareWrite(inode, 0).ok());
  }
  EXPECT_EQ(GetAttr(-1).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Mkdir(-1, "x").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Readdir(kRootInode, "", -5).status().code(), StatusCode::kInvalidArgument);
  ExpectClusterStillServes();
}

TEST_F(BadInputTest, OffsetsAndChunkIndexesOutOfRangeAreRejected) {
  Result<rpc::Attr> file = Create(kRootInode, "f");
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  const int64_t past_max_index = kMaxFileSize / kChunkSize;
  EXPECT_EQ(PrepareWrite(file->inode, -1).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(PrepareWrite(file->inode, past_max_index).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(PrepareWrite(file->inode, kHuge).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(GetChunks(file->inode, -1, 1).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(GetChunks(file->inode, 0, -1).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(GetChunks(file->inode, kHuge, 1).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CommitWrite(file->inode, -1, 0).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CommitWrite(file->inode, kHuge, 0).status().code(), StatusCode::kInvalidArgument);
  rpc::SetAttrRequest negative_size;
  negative_size.__set_size(-1);
  Result<rpc::Attr> truncated =
      CallFor<rpc::Attr>(master(), master_address(), [&](auto& c, auto& out) {
        c.setattr(out, cluster_->NextContext(), file->inode, negative_size);
      });
  EXPECT_EQ(truncated.status().code(), StatusCode::kInvalidArgument);
  // The file is unchanged by all of the above.
  Result<rpc::Attr> attr = GetAttr(file->inode);
  ASSERT_TRUE(attr.ok()) << attr.status().ToString();
  EXPECT_EQ(attr->size, 0);
  ExpectClusterStillServes();
}

TEST_F(BadInputTest, ChunkServerRejectsBadRequests) {
  const HostPort server = cluster_->chunk_server_address(0);
  auto write = [&](int64_t chunk_id, int64_t version, int64_t offset, std::string data) {
    rpc::WriteChunkRequest request;
    request.chunk_id = chunk_id;
    request.version = version;
    request.offset = offset;
    request.data = std::move(data);
    request.request_id = "bad-write";
    return WriteChunk(server, request).code();
  };
  EXPECT_EQ(write(-1, 1, 0, "x"), StatusCode::kInvalidArgument);
  EXPECT_EQ(write(1, -1, 0, "x"), StatusCode::kInvalidArgument);
  EXPECT_EQ(write(1, 1, -1, "x"), StatusCode::kInvalidArgument);
  EXPECT_EQ(write(1, 1, kChunkSize, "x"), StatusCode::kInvalidArgument);
  EXPECT_EQ(write(1, 1, kHuge, "x"), StatusCode::kInvalidArgument);
  EXPECT_EQ(write(1, 1, kChunkSize - 1, "xy"), StatusCode::kInvalidArgument);

  auto read = [&](int64_t chunk_id, int64_t version, int64_t offset, int32_t length) {
    rpc::ReadChunkRequest request;
    request.chunk_id = chunk_id;
    request.version = version;
    request.offset = offset;
    request.length = length;
    request.request_id = "bad-read";
    return ReadChunk(server, request).status().code();
  };
  EXPECT_EQ(read(-1, 1, 0, 10), StatusCode::kInvalidArgument);
  EXPECT_EQ(read(1, 1, -1, 10), StatusCode::kInvalidArgument);
  EXPECT_EQ(read(1, 1, 0, -10), StatusCode::kInvalidArgument);
  EXPECT_EQ(read(1, 1, 0, static_cast<int32_t>(kMaxIoBytes) + 1), StatusCode::kInvalidArgument);
  EXPECT_EQ(read(1, 1, kHuge, 10), StatusCode::kInvalidArgument);
  // A write whose downstream names a chunk server that is not there fails and does not hang.
  rpc::WriteChunkRequest chained;
  chained.chunk_id = 1;
  chained.version = 1;
  chained.offset = 0;
  chained.data = "x";
  rpc::ChunkServerAddress bogus;
  bogus.server_id = 999;
  bogus.host = "";
  bogus.port = -3;
  chained.downstream.push_back(bogus);
  EXPECT_FALSE(WriteChunk(server, chained).ok());
  ExpectClusterStillServes();
}

}  // namespace
}  // namespace tessera::testing
