// The RPC handler called directly: argument validation and the write path's bookkeeping.
#include "master/master_service.h"

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <set>
#include <thread>
#include <vector>

#include "master_test_util.h"

namespace tessera::master::testing {
namespace {

class MasterServiceTest : public MasterStateTest {
 protected:
  void SetUp() override {
    MasterStateTest::SetUp();
    MasterServiceOptions options;
    options.default_goal = 2;
    options.advertised_address = "127.0.0.1:9400";
    handler_ =
        std::make_unique<MasterServiceHandler>(options, log_.get(), state_.get(), &registry_,
                                               /*group=*/nullptr, &clock_);
  }

  // `port` 0: 9500 + id. Nothing here calls a chunk server except a version stamp, which must
  // find nobody: tests that reach one pass a port where no one listens.
  void AddServer(int64_t id, int64_t free_bytes, const std::vector<rpc::ChunkReport>& chunks = {},
                 int port = 0) {
    rpc::ChunkServerInfo info;
    info.server_id = id;
    info.host = "127.0.0.1";
    info.port = port != 0 ? port : static_cast<int>(9500 + id);
    rpc::RegisterReply reply;
    handler_->registerChunkServer(reply, info, chunks);
    EXPECT_GT(reply.heartbeat_interval_ms, 0);
    rpc::ChunkServerStats stats;
    stats.total_bytes = int64_t{1} << 40;
    stats.free_bytes = free_bytes;
    rpc::HeartbeatReply heartbeat;
    handler_->heartbeat(heartbeat, id, stats, {}, {});
    EXPECT_FALSE(heartbeat.reregister);
  }

  int64_t CreateFile(const std::string& name) {
    rpc::Attr attr;
    handler_->create(attr, ctx_, kRootInode, name, 0644);
    return attr.inode;
  }

  rpc::RequestContext ctx_;
  ChunkServerRegistry registry_{&clock_, 5000};
  std::unique_ptr<MasterServiceHandler> handler_;
};

TEST_F(MasterServiceTest, RejectsBadNamespaceArguments) {
  rpc::Attr attr;
  rpc::ReaddirReply listing;
  auto& h = *handler_;
  EXPECT_EQ(ErrorOf([&] { h.lookup(attr, ctx_, 0, "a"); }), rpc::ErrorCode::INVALID_ARGUMENT);
  EXPECT_EQ(ErrorOf([&] { h.lookup(attr, ctx_, -5, "a"); }), rpc::ErrorCode::INVALID_ARGUMENT);
  EXPECT_EQ(ErrorOf([&] { h.lookup(attr, ctx_, 1, ""); }), rpc::ErrorCode::INVALID_ARGUMENT);
  EXPECT_EQ(ErrorOf([&] { h.lookup(attr, ctx_, 1, std::string("a\0b", 3)); }),
            rpc::ErrorCode::INVALID_ARGUMENT);
  EXPECT_EQ(ErrorOf([&] { h.getattr(attr, ctx_, 0); }), rpc::ErrorCode::INVALID_ARGUMENT);
  EXPECT_EQ(ErrorOf([&] { h.mkdir(attr, ctx_, 1, std::string(256, 'n'), 0755); }),
            rpc::ErrorCode::NAME_TOO_LONG);
  EXPECT_EQ(ErrorOf([&] { h.mkdir(attr, ctx_, 1, "x", 040755); }),
            rpc::ErrorCode::INVALID_ARGUMENT);
  EXPECT_EQ(ErrorOf([&] { h.create(attr, ctx_, 1, ".", 0644); }), rpc::ErrorCode::INVALID_ARGUMENT);
  EXPECT_EQ(ErrorOf([&] { h.create(attr, ctx_, 1, "a/b", 0644); }),
            rpc::ErrorCode::INVALID_ARGUMENT);
  EXPECT_EQ(ErrorOf([&] { h.readdir(listing, ctx_, 1, "", 0, false); }), rpc::ErrorCode::INVALID_ARGUMENT);
  EXPECT_EQ(ErrorOf([&] { h.readdir(listing, ctx_, 1, "", 10001, false); }),
            rpc::ErrorCode::INVALID_ARGUMENT);
  EXPECT_EQ(ErrorOf([&] { h.readdir(listing, ctx_, 1, "a/b", 10, false); }),
            rpc::ErrorCode::INVALID_ARGUMENT);
  EXPECT_EQ(ErrorOf([&] { h.unlink(ctx_, 1, ".."); }), rpc::ErrorCode::INVALID_ARGUMENT);
  EXPECT_EQ(ErrorOf([&] { h.rmdir(ctx_, 0, "a"); }), rpc::ErrorCode::INVALID_ARGUMENT);
  // RENAME_NOREPLACE | RENAME_EXCHANGE together, and RENAME_WHITEOUT, are refused.
  EXPECT_EQ(ErrorOf([&] { h.rename(ctx_, 1, "a", 1, "b", 3); }), rpc::ErrorCode::INVALID_ARGUMENT);
  EXPECT_EQ(ErrorOf([&] { h.rename(ctx_, 1, "a", 1, "b", 4); }), rpc::ErrorCode::INVALID_ARGUMENT);
  EXPECT_EQ(ErrorOf([&] { h.symlink(attr, ctx_, 1, "l", ""); }), rpc::ErrorCode::INVALID_ARGUMENT);
  EXPECT_EQ(ErrorOf([&] { h.symlink(attr, ctx_, 1, "l", std::string(4096, 'x')); }),
            rpc::ErrorCode::NAME_TOO_LONG);
  EXPECT_EQ(ErrorOf([&] { h.mknod(attr, ctx_, 1, "r", rpc::FileType::REGULAR, 0644); }),
            rpc::ErrorCode::INVALID_ARGUMENT);
  EXPECT_EQ(ErrorOf([&] { h.link(attr, ctx_, 0, 1, "x"); }), rpc::ErrorCode::INVALID_ARGUMENT);
  EXPECT_EQ(ErrorOf([&] { h.link(attr, ctx_, 2, 1, std::string(256, 'x')); }),
            rpc::ErrorCode::NAME_TOO_LONG);
  EXPECT_EQ(ErrorOf([&] { h.rename(ctx_, 1, "a", -1, "b", 0); }), rpc::ErrorCode::INVALID_ARGUMENT);
  rpc::RequestContext bad_ctx;
  bad_ctx.uid = -1;
  EXPECT_EQ(ErrorOf([&] { h.getattr(attr, bad_ctx, 1); }), rpc::ErrorCode::INVALID_ARGUMENT);
  rpc::SetAttrRequest both;
  both.__set_atime_ns(5);
  both.atime_now = true;
  EXPECT_EQ(ErrorOf([&] { h.setattr(attr, ctx_, 1, both); }), rpc::ErrorCode::INVALID_ARGUMENT);
  rpc::SetAttrRequest huge;
  huge.__set_size(kMaxFileSize + 1);
  EXPECT_EQ(ErrorOf([&] { h.setattr(attr, ctx_, 1, huge); }), rpc::ErrorCode::FILE_TOO_LARGE);
}

TEST_F(MasterServiceTest, RejectsBadDataAndChunkServerArguments) {
  auto& h = *handler_;
  int64_t file = CreateFile("f");
  rpc::ChunkInfo chunk;
  std::vector<rpc::ChunkInfo> chunks;
  rpc::Attr attr;
  EXPECT_EQ(ErrorOf([&] { h.prepareWrite(chunk, ctx_, file, -1); }),
            rpc::ErrorCode::INVALID_ARGUMENT);
  EXPECT_EQ(ErrorOf([&] { h.prepareWrite(chunk, ctx_, file, kMaxFileSize / kChunkSize); }),
            rpc::ErrorCode::INVALID_ARGUMENT);
  EXPECT_EQ(ErrorOf([&] { h.getChunks(chunks, ctx_, file, 0, 0); }),
            rpc::ErrorCode::INVALID_ARGUMENT);
  EXPECT_EQ(ErrorOf([&] { h.getChunks(chunks, ctx_, file, -1, 1); }),
            rpc::ErrorCode::INVALID_ARGUMENT);
  EXPECT_EQ(ErrorOf([&] { h.commitWrite(attr, ctx_, file, -1, 1); }),
            rpc::ErrorCode::INVALID_ARGUMENT);
  EXPECT_EQ(ErrorOf([&] { h.commitWrite(attr, ctx_, file, kMaxFileSize + 1, 1); }),
            rpc::ErrorCode::INVALID_ARGUMENT);
  EXPECT_EQ(ErrorOf([&] { h.commitWrite(attr, ctx_, file, 1, -1); }),
            rpc::ErrorCode::INVALID_ARGUMENT);

  rpc::RegisterReply registered;
  rpc::ChunkServerInfo info;
  info.server_id = 1;
  info.host = "127.0.0.1";
  info.port = 70000;
  EXPECT_EQ(ErrorOf([&] { h.registerChunkServer(registered, info, {}); }),
            rpc::ErrorCode::INVALID_ARGUMENT);
  info.port = 9000;
  info.server_id = 0;
  EXPECT_EQ(ErrorOf([&] { h.registerChunkServer(registered, info, {}); }),
            rpc::ErrorCode::INVALID_ARGUMENT);
  info.server_id = 1;
  rpc::ChunkReport bad_report;
  bad_report.chunk_id = 5;
  bad_report.version = 1;
  bad_report.length = kChunkSize + 1;
  EXPECT_EQ(ErrorOf([&] { h.registerChunkServer(registered, info, {bad_report}); }),
            rpc::ErrorCode::INVALID_ARGUMENT);
  rpc::HeartbeatReply beat;
  rpc::ChunkServerStats stats;
  stats.total_bytes = 10;
  stats.free_bytes = 20;
  EXPECT_EQ(ErrorOf([&] { h.heartbeat(beat, 1, stats, {}, {}); }),
            rpc::ErrorCode::INVALID_ARGUMENT);
  stats.free_bytes = 5;
  EXPECT_EQ(ErrorOf([&] { h.heartbeat(beat, -1, stats, {}, {}); }),
            rpc::ErrorCode::INVALID_ARGUMENT);
  EXPECT_EQ(ErrorOf([&] { h.heartbeat(beat, 1, stats, {}, {0}); }),
            rpc::ErrorCode::INVALID_ARGUMENT);
}

TEST_F(MasterServiceTest, TranslatesNamespaceErrors) {
  auto& h = *handler_;
  rpc::Attr attr;
  h.mkdir(attr, ctx_, kRootInode, "d", 0755);
  EXPECT_EQ(ErrorOf([&] { h.mkdir(attr, ctx_, kRootInode, "d", 0755); }),
            rpc::ErrorCode::ALREADY_EXISTS);
  EXPECT_EQ(ErrorOf([&] { h.unlink(ctx_, kRootInode, "d"); }), rpc::ErrorCode::IS_DIRECTORY);
  EXPECT_EQ(ErrorOf([&] { h.lookup(attr, ctx_, kRootInode, "nope"); }), rpc::ErrorCode::NOT_FOUND);
  rpc::ChunkInfo chunk;
  EXPECT_EQ(ErrorOf([&] { h.prepareWrite(chunk, ctx_, attr.inode, 0); }),
            rpc::ErrorCode::IS_DIRECTORY);
}

TEST_F(MasterServiceTest, SyncMetadataKeepsEveryAcknowledgedChange) {
  CreateFile("durable");
  handler_->syncMetadata(ctx_);
  rpc::RequestContext bad = ctx_;
  bad.uid = -1;
  EXPECT_EQ(ErrorOf([&] { handler_->syncMetadata(bad); }), rpc::ErrorCode::INVALID_ARGUMENT);
  rpc::Attr attr;
  handler_->lookup(attr, ctx_, kRootInode, "durable");
  EXPECT_GT(attr.inode, kRootInode);
}

TEST_F(MasterServiceTest, MkdirAndCreateUseCallerAndDefaultGoal) {
  rpc::SetAttrRequest open_root;
  open_root.__set_mode(0777);
  rpc::Attr root;
  handler_->setattr(root, ctx_, kRootInode, open_root);  // as root: others may create in it
  ctx_.uid = 1000;
  ctx_.gid = 100;
  rpc::Attr attr;
  handler_->create(attr, ctx_, kRootInode, "f", 0640);
  EXPECT_EQ(attr.uid, 1000);
  EXPECT_EQ(attr.gid, 100);
  EXPECT_EQ(attr.goal, 2);
  EXPECT_EQ(attr.mode, 0640);
  rpc::ReaddirReply listing;
  handler_->readdir(listing, ctx_, kRootInode, "", 100, false);
  ASSERT_EQ(listing.entries.size(), 1u);
  EXPECT_EQ(listing.entries[0].name, "f");
  EXPECT_TRUE(listing.eof);
}

TEST_F(MasterServiceTest, ReaddirWithAttrsNeedsSearchPermissionToo) {
  rpc::Attr dir;
  handler_->mkdir(dir, ctx_, kRootInode, "listable", 0755);
  rpc::Attr file;
  handler_->create(file, ctx_, dir.inode, "f", 0640);
  rpc::ReaddirReply listing;
  handler_->readdir(listing, ctx_, dir.inode, "", 10, true);
  ASSERT_EQ(listing.entries.size(), 1u);
  ASSERT_TRUE(listing.entries[0].__isset.attr);
  EXPECT_EQ(listing.entries[0].attr.inode, file.inode);
  EXPECT_EQ(listing.entries[0].attr.mode, 0640);
  handler_->readdir(listing, ctx_, dir.inode, "", 10, false);
  ASSERT_EQ(listing.entries.size(), 1u);
  EXPECT_FALSE(listing.entries[0].__isset.attr);

  // Read but no search permission: the names, never the attributes, which would let the
  // kernel skip the lookup that the master refuses.
  rpc::SetAttrRequest read_only;
  read_only.__set_mode(0754);
  handler_->setattr(dir, ctx_, dir.inode, read_only);
  rpc::RequestContext other = ctx_;
  other.uid = 1000;
  other.gid = 1000;
  handler_->readdir(listing, other, dir.inode, "", 10, true);
  ASSERT_EQ(listing.entries.size(), 1u);
  EXPECT_EQ(listing.entries[0].name, "f");
  EXPECT_FALSE(listing.entries[0].__isset.attr);
  rpc::Attr attr;
  EXPECT_EQ(ErrorOf([&] { handler_->lookup(attr, other, dir.inode, "f"); }),
            rpc::ErrorCode::PERMISSION_DENIED);
}

TEST_F(MasterServiceTest, PermissionsAreCheckedWithTheCallersIdentity) {
  rpc::Attr dir;
  handler_->mkdir(dir, ctx_, kRootInode, "private", 0700);
  rpc::Attr file;
  handler_->create(file, ctx_, dir.inode, "f", 0644);
  rpc::RequestContext other = ctx_;
  other.uid = 1000;
  other.gid = 1000;
  rpc::Attr attr;
  EXPECT_EQ(ErrorOf([&] { handler_->lookup(attr, other, dir.inode, "f"); }),
            rpc::ErrorCode::PERMISSION_DENIED);
  rpc::ReaddirReply listing;
  EXPECT_EQ(ErrorOf([&] { handler_->readdir(listing, other, dir.inode, "", 10, false); }),
            rpc::ErrorCode::PERMISSION_DENIED);
  EXPECT_EQ(ErrorOf([&] { handler_->create(attr, other, dir.inode, "g", 0644); }),
            rpc::ErrorCode::PERMISSION_DENIED);
  // access(): read on the 0644 file yes, write no; root may write it.
  // An allowed access answers the attributes (an open needs both).
  rpc::Attr judged;
  handler_->access(judged, other, file.inode, 4);
  EXPECT_EQ(judged.inode, file.inode);
  EXPECT_EQ(judged.mode, file.mode);
  EXPECT_EQ(ErrorOf([&] { handler_->access(judged, other, file.inode, 2); }),
            rpc::ErrorCode::PERMISSION_DENIED);
  handler_->access(judged, ctx_, file.inode, 2);
  EXPECT_EQ(ErrorOf([&] { handler_->access(judged, ctx_, file.inode, 8); }),
            rpc::ErrorCode::INVALID_ARGUMENT);
  // Owner-only operations answer NOT_PERMITTED (EPERM), not PERMISSION_DENIED (EACCES).
  rpc::SetAttrRequest chmod;
  chmod.__set_mode(0777);
  EXPECT_EQ(ErrorOf([&] { handler_->setattr(attr, other, file.inode, chmod); }),
            rpc::ErrorCode::NOT_PERMITTED);
}

TEST_F(MasterServiceTest, WriteWithoutChunkServersIsNoSpace) {
  int64_t file = CreateFile("f");
  rpc::ChunkInfo chunk;
  EXPECT_EQ(ErrorOf([&] { handler_->prepareWrite(chunk, ctx_, file, 0); }),
            rpc::ErrorCode::NO_SPACE);
}

TEST_F(MasterServiceTest, WritePathAllocatesReadsCommitsAndDeletes) {
  AddServer(1, int64_t{100} << 30);
  AddServer(2, int64_t{900} << 30);
  AddServer(3, int64_t{500} << 30);
  int64_t file = CreateFile("f");

  rpc::ChunkInfo chunk;
  handler_->prepareWrite(chunk, ctx_, file, 3);
  EXPECT_EQ(chunk.chunk_index, 3);
  EXPECT_GT(chunk.chunk_id, 0);
  EXPECT_EQ(chunk.version, 1);
  ASSERT_EQ(chunk.replicas.size(), 2u);       // goal 2
  EXPECT_EQ(chunk.replicas[0].server_id, 2);  // most free space is the primary
  EXPECT_EQ(chunk.replicas[1].server_id, 3);

  rpc::ChunkInfo again;
  handler_->prepareWrite(again, ctx_, file, 3);
  EXPECT_EQ(again.chunk_id, chunk.chunk_id);
  EXPECT_EQ(again.replicas.size(), 2u);

  std::vector<rpc::ChunkInfo> chunks;
  handler_->getChunks(chunks, ctx_, file, 0, 10);
  ASSERT_EQ(chunks.size(), 1u);
  EXPECT_EQ(chunks[0].chunk_id, chunk.chunk_id);
  EXPECT_EQ(chunks[0].replicas.size(), 2u);

  rpc::Attr attr;
  handler_->commitWrite(attr, ctx_, file, 3 * kChunkSize + 100, 42);
  EXPECT_EQ(attr.size, 3 * kChunkSize + 100);
  EXPECT_EQ(attr.mtime_ns, 42);

  rpc::StatfsReply space;
  handler_->statfs(space, ctx_);
  EXPECT_EQ(space.total_bytes, 3 * (int64_t{1} << 40));
  EXPECT_EQ(space.free_bytes, int64_t{1500} << 30);
  EXPECT_EQ(space.inodes_used, 2);

  rpc::ClusterStatus status;
  handler_->clusterStatus(status);
  ASSERT_EQ(status.masters.size(), 1u);
  EXPECT_EQ(status.masters[0].role, "leader");
  EXPECT_EQ(status.masters[0].address, "127.0.0.1:9400");
  EXPECT_EQ(status.masters[0].applied_index, log_->AppliedIndex());
  EXPECT_EQ(status.chunk_servers.size(), 3u);
  EXPECT_EQ(status.chunk_count, 1);

  // The replicas stay until the garbage collection finds them unreferenced for its grace period
  // (ReplicationManager, OrphanCollector); nothing is handed out at once.
  handler_->unlink(ctx_, kRootInode, "f");
  for (int64_t id : {1, 2, 3}) {
    rpc::HeartbeatReply reply;
    handler_->heartbeat(reply, id, rpc::ChunkServerStats(), {}, {});
    EXPECT_TRUE(reply.delete_chunks.empty()) << "server " << id;
  }
}

TEST_F(MasterServiceTest, TruncateDropsCutChunksFromTheFile) {
  AddServer(1, int64_t{100} << 30);
  int64_t file = CreateFile("f");
  rpc::ChunkInfo first;
  rpc::ChunkInfo second;
  handler_->prepareWrite(first, ctx_, file, 0);
  handler_->prepareWrite(second, ctx_, file, 1);
  rpc::Attr attr;
  rpc::SetAttrRequest truncate;
  truncate.__set_size(10);
  handler_->setattr(attr, ctx_, file, truncate);
  EXPECT_EQ(attr.size, 10);
  std::vector<rpc::ChunkInfo> chunks;
  handler_->getChunks(chunks, ctx_, file, 0, 10);
  ASSERT_EQ(chunks.size(), 1u);
  EXPECT_EQ(chunks[0].chunk_id, first.chunk_id);
}

// Within its lease a chunk keeps its chain and version without a log entry. Once a member of the
// chain dies, the chunk is never handed out for writing at the old version
// again: the survivors must first take a new one. Here none can (no chunk server runs; ports 1
// and 2 refuse connections), so the writer is told to retry and the version stays.
TEST_F(MasterServiceTest, WriteLeaseKeepsItsChainUntilAMemberDies) {
  AddServer(1, int64_t{100} << 30, {}, /*port=*/1);
  AddServer(2, int64_t{100} << 30, {}, /*port=*/2);
  int64_t file = CreateFile("f");
  rpc::ChunkInfo first;
  handler_->prepareWrite(first, ctx_, file, 0);
  rpc::Attr committed;
  handler_->commitWrite(committed, ctx_, file, 4096, 1);
  const int64_t applied = log_->AppliedIndex();
  rpc::ChunkInfo again;
  handler_->prepareWrite(again, ctx_, file, 0);
  EXPECT_EQ(again.version, first.version);
  ASSERT_EQ(again.replicas.size(), 2u);
  EXPECT_EQ(log_->AppliedIndex(), applied) << "a valid lease needs no log entry";

  auto beat = [&](int64_t id, int64_t free_bytes = int64_t{100} << 30) {
    rpc::ChunkServerStats stats;
    stats.total_bytes = int64_t{1} << 40;
    stats.free_bytes = free_bytes;
    rpc::HeartbeatReply reply;
    handler_->heartbeat(reply, id, stats, {}, {});
  };
  clock_.AdvanceMs(3000);
  beat(1);
  clock_.AdvanceMs(3000);  // server 2 is silent for 6 s: dead
  beat(1);
  EXPECT_EQ(ErrorOf([&] { handler_->prepareWrite(again, ctx_, file, 0); }),
            rpc::ErrorCode::UNAVAILABLE);
  std::vector<rpc::ChunkInfo> chunks;
  handler_->getChunks(chunks, ctx_, file, 0, 1);
  ASSERT_EQ(chunks.size(), 1u);
  EXPECT_EQ(chunks[0].version, first.version) << "no new version without a stamped replica";
  ASSERT_EQ(chunks[0].replicas.size(), 1u);
  EXPECT_EQ(chunks[0].replicas[0].server_id, 1);

  // The only live copy is on a server without room for the chunk to grow: no lease at all.
  beat(1, /*free_bytes=*/kChunkSize - 1);
  EXPECT_EQ(ErrorOf([&] { handler_->prepareWrite(again, ctx_, file, 0); }),
            rpc::ErrorCode::NO_SPACE);
}

TEST_F(MasterServiceTest, DeadReplicasAreNotOffered) {
  AddServer(1, int64_t{100} << 30);
  int64_t file = CreateFile("f");
  rpc::ChunkInfo chunk;
  handler_->prepareWrite(chunk, ctx_, file, 0);
  rpc::Attr committed;
  handler_->commitWrite(committed, ctx_, file, 4096, 1);
  clock_.AdvanceMs(6000);
  std::vector<rpc::ChunkInfo> chunks;
  handler_->getChunks(chunks, ctx_, file, 0, 1);
  ASSERT_EQ(chunks.size(), 1u);
  EXPECT_TRUE(chunks[0].replicas.empty());
  // The chunk holds acknowledged data that only the dead server has: wait for it.
  EXPECT_EQ(ErrorOf([&] { handler_->prepareWrite(chunk, ctx_, file, 0); }),
            rpc::ErrorCode::UNAVAILABLE);
}

// A chunk allocated but never written has no replica anywhere once its placement is forgotten
// (it died with the leader that made it); it is placed again under a new version.
TEST_F(MasterServiceTest, UnwrittenChunkWithoutReplicasIsPlacedAgain) {
  AddServer(1, int64_t{100} << 30);
  int64_t file = CreateFile("f");
  rpc::ChunkInfo first;
  handler_->prepareWrite(first, ctx_, file, 0);
  clock_.AdvanceMs(6000);  // server 1 died
  EXPECT_EQ(ErrorOf([&] { handler_->prepareWrite(first, ctx_, file, 0); }),
            rpc::ErrorCode::NO_SPACE);  // nowhere to place it
  AddServer(2, int64_t{100} << 30);
  rpc::ChunkInfo again;
  handler_->prepareWrite(again, ctx_, file, 0);
  EXPECT_EQ(again.chunk_id, first.chunk_id);
  EXPECT_EQ(again.version, first.version + 1);
  ASSERT_EQ(again.replicas.size(), 1u);
  EXPECT_EQ(again.replicas[0].server_id, 2);
  // Server 1 comes back with an old copy: it is stale and not offered.
  rpc::ChunkReport old_copy;
  old_copy.chunk_id = first.chunk_id;
  old_copy.version = first.version;
  AddServer(1, int64_t{100} << 30, {old_copy});
  std::vector<rpc::ChunkInfo> chunks;
  handler_->getChunks(chunks, ctx_, file, 0, 1);
  ASSERT_EQ(chunks.size(), 1u);
  for (const auto& replica : chunks[0].replicas) EXPECT_NE(replica.server_id, 1);
}

TEST_F(MasterServiceTest, CorruptReplicaReportDropsTheCopyButNeverTheLastOne) {
  AddServer(1, int64_t{100} << 30);
  AddServer(2, int64_t{90} << 30);
  int64_t file = CreateFile("f");
  rpc::ChunkInfo chunk;
  handler_->prepareWrite(chunk, ctx_, file, 0);
  ASSERT_EQ(chunk.replicas.size(), 2u);
  handler_->reportCorruptReplica(ctx_, chunk.chunk_id, 2);
  std::vector<rpc::ChunkInfo> chunks;
  handler_->getChunks(chunks, ctx_, file, 0, 1);
  ASSERT_EQ(chunks.size(), 1u);
  ASSERT_EQ(chunks[0].replicas.size(), 1u);
  EXPECT_EQ(chunks[0].replicas[0].server_id, 1);
  // Server 2 is told to delete its copy with its next heartbeat.
  rpc::HeartbeatReply reply;
  handler_->heartbeat(reply, 2, rpc::ChunkServerStats(), {}, {});
  EXPECT_EQ(reply.delete_chunks, std::vector<int64_t>{chunk.chunk_id});
  // A report against the last copy keeps it: a buggy or hostile client cannot erase data.
  handler_->reportCorruptReplica(ctx_, chunk.chunk_id, 1);
  handler_->getChunks(chunks, ctx_, file, 0, 1);
  ASSERT_EQ(chunks[0].replicas.size(), 1u);
  EXPECT_EQ(ErrorOf([&] { handler_->reportCorruptReplica(ctx_, 0, 1); }),
            rpc::ErrorCode::INVALID_ARGUMENT);
}

TEST_F(MasterServiceTest, FsckListsChunksUnderGoalAndMissing) {
  AddServer(1, int64_t{100} << 30);
  AddServer(2, int64_t{90} << 30);
  rpc::Attr dir;
  handler_->mkdir(dir, ctx_, kRootInode, "d", 0755);
  rpc::Attr file;
  handler_->create(file, ctx_, dir.inode, "f", 0644);  // goal 2
  rpc::ChunkInfo chunk;
  handler_->prepareWrite(chunk, ctx_, file.inode, 0);
  handler_->prepareWrite(chunk, ctx_, file.inode, 1);
  rpc::FsckReply healthy;
  handler_->fsck(healthy, ctx_, "/");
  EXPECT_EQ(healthy.files, 1);
  EXPECT_EQ(healthy.chunks, 2);
  EXPECT_TRUE(healthy.problems.empty());

  handler_->reportCorruptReplica(ctx_, chunk.chunk_id, 2);  // chunk 1 drops to one copy
  rpc::FsckReply degraded;
  handler_->fsck(degraded, ctx_, "/d");
  EXPECT_EQ(degraded.chunks_under_goal, 1);
  ASSERT_EQ(degraded.problems.size(), 1u);
  EXPECT_EQ(degraded.problems[0].path, "/d/f");
  EXPECT_EQ(degraded.problems[0].chunk_index, 1);
  EXPECT_EQ(degraded.problems[0].live_copies, 1);
  EXPECT_EQ(degraded.problems[0].state, "under goal");

  clock_.AdvanceMs(6000);  // every server dead
  rpc::FsckReply lost;
  handler_->fsck(lost, ctx_, "/d/f");
  EXPECT_EQ(lost.chunks_missing, 2);
  EXPECT_EQ(lost.problems.size(), 2u);
  EXPECT_EQ(ErrorOf([&] { handler_->fsck(lost, ctx_, "relative"); }),
            rpc::ErrorCode::INVALID_ARGUMENT);
  EXPECT_EQ(ErrorOf([&] { handler_->fsck(lost, ctx_, "/nope"); }), rpc::ErrorCode::NOT_FOUND);
}

TEST_F(MasterServiceTest, FileInfoListsChunksWithReplicaStates) {
  AddServer(1, int64_t{100} << 30);
  AddServer(2, int64_t{90} << 30);
  rpc::Attr dir;
  handler_->mkdir(dir, ctx_, kRootInode, "d", 0755);
  rpc::Attr file;
  handler_->create(file, ctx_, dir.inode, "f", 0644);  // goal 2
  rpc::ChunkInfo first;
  handler_->prepareWrite(first, ctx_, file.inode, 0);
  rpc::ChunkInfo second;
  handler_->prepareWrite(second, ctx_, file.inode, 1);
  rpc::Attr attr;
  handler_->commitWrite(attr, ctx_, file.inode, kChunkSize + 100, 1);

  rpc::FileInfoReply info;
  handler_->fileInfo(info, ctx_, "/d//f");  // empty components are skipped
  EXPECT_EQ(info.path, "/d/f");
  EXPECT_EQ(info.inode, file.inode);
  EXPECT_EQ(info.size, kChunkSize + 100);
  EXPECT_EQ(info.goal, 2);
  ASSERT_EQ(info.chunks.size(), 2u);
  EXPECT_EQ(info.chunks[0].chunk_id, first.chunk_id);
  EXPECT_EQ(info.chunks[0].length, kChunkSize);
  EXPECT_EQ(info.chunks[1].length, 100);
  EXPECT_EQ(info.chunks[1].version, second.version);
  ASSERT_EQ(info.chunks[1].replicas.size(), 2u);
  EXPECT_EQ(info.chunks[1].live_copies, 2);
  EXPECT_EQ(info.chunks[1].replicas[0].server_id, 1);
  EXPECT_EQ(info.chunks[1].replicas[0].address, "127.0.0.1:9501");
  EXPECT_EQ(info.chunks[1].replicas[0].state, "live");

  clock_.AdvanceMs(6000);  // every server dead
  handler_->fileInfo(info, ctx_, "/d/f");
  for (const rpc::FileChunk& chunk : info.chunks) {
    EXPECT_EQ(chunk.live_copies, 0);
    for (const rpc::FileReplica& replica : chunk.replicas) EXPECT_EQ(replica.state, "dead");
  }
  EXPECT_EQ(ErrorOf([&] { handler_->fileInfo(info, ctx_, "relative"); }),
            rpc::ErrorCode::INVALID_ARGUMENT);
  EXPECT_EQ(ErrorOf([&] { handler_->fileInfo(info, ctx_, "/nope"); }), rpc::ErrorCode::NOT_FOUND);
  EXPECT_EQ(ErrorOf([&] { handler_->fileInfo(info, ctx_, "/d"); }), rpc::ErrorCode::IS_DIRECTORY);
  EXPECT_EQ(ErrorOf([&] { handler_->fileInfo(info, ctx_, "/d/f/x"); }),
            rpc::ErrorCode::NOT_DIRECTORY);
  EXPECT_EQ(ErrorOf([&] { handler_->fileInfo(info, ctx_, "/" + std::string(5000, 'a')); }),
            rpc::ErrorCode::INVALID_ARGUMENT);
}

TEST_F(MasterServiceTest, AppendReservationsAreDisjointAndARetryKeepsItsRange) {
  const int64_t file = CreateFile("log");
  rpc::Attr attr;
  handler_->commitWrite(attr, ctx_, file, 100, 1);  // 100 bytes written before
  // Two clients reserving at once, each request in its own session sequence.
  constexpr int kPerClient = 50;
  std::vector<int64_t> starts[2];
  std::vector<std::thread> clients;
  for (int c = 0; c < 2; ++c) {
    clients.emplace_back([&, c] {
      rpc::RequestContext ctx = ctx_;
      ctx.client_id = 100 + c;
      for (int i = 0; i < kPerClient; ++i) {
        ctx.sequence = i + 1;
        rpc::Attr reserved;
        handler_->reserveAppend(reserved, ctx, file, 10 + c, 2);
        starts[c].push_back(reserved.size - (10 + c));
      }
    });
  }
  for (std::thread& client : clients) client.join();
  std::map<int64_t, int64_t> ranges;  // start -> length
  for (int c = 0; c < 2; ++c) {
    for (int64_t start : starts[c]) ranges[start] = 10 + c;
  }
  ASSERT_EQ(ranges.size(), 2u * kPerClient) << "two reservations got the same start";
  int64_t end = 100;
  for (const auto& [start, length] : ranges) {
    EXPECT_EQ(start, end) << "reservations overlap or leave a gap";
    end = start + length;
  }
  handler_->getattr(attr, ctx_, file);
  EXPECT_EQ(attr.size, end);

  // A retry of an answered reservation (same session and sequence) gets its range back.
  rpc::RequestContext retried = ctx_;
  retried.client_id = 100;
  retried.sequence = kPerClient;
  rpc::Attr again;
  handler_->reserveAppend(again, retried, file, 10, 3);
  EXPECT_EQ(again.size - 10, starts[0].back());
  handler_->getattr(attr, ctx_, file);
  EXPECT_EQ(attr.size, end) << "the retry reserved a second range";

  EXPECT_EQ(ErrorOf([&] { handler_->reserveAppend(attr, ctx_, file, -1, 1); }),
            rpc::ErrorCode::INVALID_ARGUMENT);
  EXPECT_EQ(ErrorOf([&] { handler_->reserveAppend(attr, ctx_, file, kMaxFileSize, 1); }),
            rpc::ErrorCode::FILE_TOO_LARGE);
  EXPECT_EQ(ErrorOf([&] { handler_->reserveAppend(attr, ctx_, kRootInode, 1, 1); }),
            rpc::ErrorCode::IS_DIRECTORY);
}

}  // namespace
}  // namespace tessera::master::testing
