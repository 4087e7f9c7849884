// Unlinked files that may still be open (master/ops/unlinked_inode.cc), the leader's table of
// open files (open_file_table.h), the reaper that frees them (unlinked_inode_reaper.h) and the
// reportOpenFiles RPC's validation.
#include <gtest/gtest.h>

#include <algorithm>

#include "common/open_files.h"
#include "master/master_service.h"
#include "master/open_file_table.h"
#include "master/ops/ops.h"
#include "master/unlinked_inode_reaper.h"
#include "master_test_util.h"

namespace tessera::master::testing {
namespace {

constexpr int64_t kGraceMs = 5000;

class UnlinkedInodeTest : public MasterStateTest {
 protected:
  // A regular file `name` in the root with one chunk; returns its inode, sets chunk_id_.
  int64_t FileWithChunk(const std::string& name) {
    int64_t file = MustCreate(Create(kRootInode, name));
    Result<ApplyResult> chunk = Propose(AllocateChunk(file, 0));
    EXPECT_TRUE(chunk.ok() && chunk->chunk);
    if (chunk.ok() && chunk->chunk) chunk_id_ = chunk->chunk->chunk_id;
    EXPECT_TRUE(Propose(CommitWrite(file, 100, 7)).ok());
    return file;
  }
  std::vector<int64_t> UnlinkedInodes() {
    Result<std::vector<UnlinkedInodeRecord>> records = state_->CurrentStore()->ListUnlinkedInodes();
    EXPECT_TRUE(records.ok()) << records.status().ToString();
    std::vector<int64_t> inodes;
    if (records.ok()) {
      for (const UnlinkedInodeRecord& record : *records) inodes.push_back(record.inode);
    }
    return inodes;
  }
  // The chunk ids the garbage collection sees as referenced.
  std::vector<int64_t> ReferencedChunks() {
    std::vector<int64_t> ids;
    EXPECT_TRUE(state_->ForEachChunkOfFile([&](const ChunkOfFile& chunk) {
      ids.push_back(chunk.chunk.chunk_id);
    }).ok());
    return ids;
  }
  bool Listed(const std::string& name) {
    Result<rpc::ReaddirReply> listing = state_->Readdir(kRootInode, "", 100);
    EXPECT_TRUE(listing.ok());
    return std::any_of(listing->entries.begin(), listing->entries.end(),
                       [&](const rpc::DirEntry& entry) { return entry.name == name; });
  }

  int64_t chunk_id_ = 0;
};

TEST_F(UnlinkedInodeTest, UnlinkKeepsTheFileUnnamedAndUsableByInode) {
  int64_t file = FileWithChunk("f");
  const int64_t unlinked_at = clock_.NowUnixNanos() + 1'000'000;  // Propose advances 1 ms
  Result<ApplyResult> unlinked = Propose(Unlink(kRootInode, "f"));
  ASSERT_TRUE(unlinked.ok()) << unlinked.status().ToString();
  EXPECT_TRUE(unlinked->freed_chunk_ids.empty());
  // No name finds it...
  EXPECT_EQ(state_->Lookup(kRootInode, "f").status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(Listed("f"));
  // ...but it is there by inode, with no link, as fstat on an open descriptor shows it.
  rpc::Attr attr = Attr(file);
  EXPECT_EQ(attr.nlink, 0);
  EXPECT_EQ(attr.size, 100);
  EXPECT_EQ(attr.ctime_ns, unlinked_at);
  Result<std::optional<UnlinkedInodeRecord>> record =
      state_->CurrentStore()->GetUnlinkedInode(file);
  ASSERT_TRUE(record.ok() && record->has_value());
  EXPECT_EQ((*record)->unlinked_ns, unlinked_at);
  EXPECT_EQ(state_->Counters().inode_count, 2);
  // Writes, commits, truncates and chunk reads keep working.
  EXPECT_TRUE(Propose(AllocateChunk(file, 1)).ok());
  Result<ApplyResult> committed = Propose(CommitWrite(file, kChunkSize + 10, 9));
  ASSERT_TRUE(committed.ok()) << committed.status().ToString();
  EXPECT_EQ(committed->attr->size, kChunkSize + 10);
  EXPECT_EQ(committed->attr->nlink, 0);
  Result<ApplyResult> truncated = Propose(Truncate(file, 50));
  ASSERT_TRUE(truncated.ok()) << truncated.status().ToString();
  EXPECT_EQ(truncated->freed_chunk_ids.size(), 1u);  // chunk 1 only
  EXPECT_EQ(state_->GetChunks(file, 0, 10)->size(), 1u);
  // A name cannot be given back (linkat of an unlinked file is ENOENT on Linux).
  EXPECT_EQ(CodeOf(Link(file, kRootInode, "again")), StatusCode::kNotFound);
  EXPECT_EQ(UnlinkedInodes(), (std::vector<int64_t>{file}));
}

TEST_F(UnlinkedInodeTest, RenameOverTheLastNameKeepsTheReplacedFileUnnamed) {
  int64_t victim = FileWithChunk("victim");
  int64_t source = MustCreate(Create(kRootInode, "source"));
  Result<ApplyResult> renamed = Propose(Rename(kRootInode, "source", kRootInode, "victim"));
  ASSERT_TRUE(renamed.ok()) << renamed.status().ToString();
  EXPECT_TRUE(renamed->freed_chunk_ids.empty());
  EXPECT_EQ(state_->Lookup(kRootInode, "victim")->inode, source);
  EXPECT_EQ(Attr(victim).nlink, 0);
  EXPECT_EQ(UnlinkedInodes(), (std::vector<int64_t>{victim}));
}

TEST_F(UnlinkedInodeTest, OnlyTheLastLinkOfARegularFileLeavesItUnnamed) {
  int64_t file = MustCreate(Create(kRootInode, "a"));
  ASSERT_TRUE(Propose(Link(file, kRootInode, "b")).ok());
  ASSERT_TRUE(Propose(Unlink(kRootInode, "a")).ok());
  EXPECT_TRUE(UnlinkedInodes().empty());
  // Symlinks, FIFOs and sockets hold no data a descriptor could read: they go at once.
  int64_t fifo = MustCreate(Mknod(kRootInode, "p", rpc::FileType::FIFO));
  int64_t symlink = MustCreate(Mknod(kRootInode, "l", rpc::FileType::SYMLINK, "x"));
  ASSERT_TRUE(Propose(Unlink(kRootInode, "p")).ok());
  ASSERT_TRUE(Propose(Unlink(kRootInode, "l")).ok());
  EXPECT_EQ(state_->GetAttr(fifo).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(state_->GetAttr(symlink).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(UnlinkedInodes().empty());
}

TEST_F(UnlinkedInodeTest, GarbageCollectionKeepsTheChunksUntilTheFree) {
  int64_t file = FileWithChunk("f");
  ASSERT_TRUE(Propose(Unlink(kRootInode, "f")).ok());
  EXPECT_EQ(ReferencedChunks(), (std::vector<int64_t>{chunk_id_}));
  EXPECT_EQ(state_->Counters().chunk_count, 1);
  Result<ApplyResult> freed = Propose(FreeUnlinkedInode(file));
  ASSERT_TRUE(freed.ok()) << freed.status().ToString();
  EXPECT_EQ(freed->freed_chunk_ids, (std::vector<int64_t>{chunk_id_}));
  EXPECT_TRUE(ReferencedChunks().empty());
  EXPECT_EQ(state_->GetAttr(file).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(UnlinkedInodes().empty());
  EXPECT_EQ(state_->Counters().inode_count, 1);
  EXPECT_EQ(state_->Counters().chunk_count, 0);
}

TEST_F(UnlinkedInodeTest, FreeRefusesFilesThatAreNotUnlinked) {
  int64_t file = FileWithChunk("f");
  EXPECT_EQ(CodeOf(FreeUnlinkedInode(file)), StatusCode::kNotFound);  // still named
  EXPECT_EQ(CodeOf(FreeUnlinkedInode(9999)), StatusCode::kNotFound);
  EXPECT_EQ(CodeOf(FreeUnlinkedInode(0)), StatusCode::kInvalidArgument);
  EXPECT_EQ(Attr(file).nlink, 1);
  ASSERT_TRUE(Propose(Unlink(kRootInode, "f")).ok());
  ASSERT_TRUE(Propose(FreeUnlinkedInode(file)).ok());
  EXPECT_EQ(CodeOf(FreeUnlinkedInode(file)), StatusCode::kNotFound);  // freed once only
}

TEST_F(UnlinkedInodeTest, ABatchFreesAllOrNothing) {
  const int64_t a = FileWithChunk("a");
  const int64_t a_chunk = chunk_id_;
  const int64_t b = FileWithChunk("b");
  const int64_t b_chunk = chunk_id_;
  const int64_t named = FileWithChunk("named");
  ASSERT_TRUE(Propose(Unlink(kRootInode, "a")).ok());
  ASSERT_TRUE(Propose(Unlink(kRootInode, "b")).ok());
  // One inode still named: nothing is freed.
  EXPECT_EQ(CodeOf(FreeUnlinkedInodes({a, named, b})), StatusCode::kNotFound);
  EXPECT_EQ(UnlinkedInodes(), (std::vector<int64_t>{a, b}));
  EXPECT_EQ(CodeOf(FreeUnlinkedInodes({a, a})), StatusCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(FreeUnlinkedInodes({})), StatusCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(FreeUnlinkedInodes(std::vector<int64_t>(kMaxInodesPerFree + 1, a))),
            StatusCode::kInvalidArgument);
  Result<ApplyResult> freed = Propose(FreeUnlinkedInodes({b, a}));
  ASSERT_TRUE(freed.ok()) << freed.status().ToString();
  EXPECT_EQ(freed->freed_chunk_ids, (std::vector<int64_t>{b_chunk, a_chunk}));
  EXPECT_TRUE(UnlinkedInodes().empty());
  EXPECT_EQ(ReferencedChunks().size(), 1u);
  EXPECT_EQ(Attr(named).nlink, 1);
}

TEST_F(UnlinkedInodeTest, UnlinkedFilesSurviveARestart) {
  int64_t file = FileWithChunk("f");
  ASSERT_TRUE(Propose(Unlink(kRootInode, "f")).ok());
  Reopen();
  EXPECT_EQ(UnlinkedInodes(), (std::vector<int64_t>{file}));
  EXPECT_EQ(Attr(file).nlink, 0);
  EXPECT_EQ(ReferencedChunks(), (std::vector<int64_t>{chunk_id_}));
}

// ---- the leader's open file table ----

class OpenFileTableTest : public ::testing::Test {
 protected:
  ManualClock clock_;
  OpenFileTable table_{&clock_, kGraceMs};
};

TEST_F(OpenFileTableTest, AnUnreportedInodeExpiresAfterTheGrace) {
  EXPECT_TRUE(table_.Expired(1, {7}).empty());  // first listed now
  clock_.AdvanceMs(kGraceMs - 1);
  EXPECT_TRUE(table_.Expired(1, {7}).empty());
  clock_.AdvanceMs(1);
  EXPECT_EQ(table_.Expired(1, {7}), (std::vector<int64_t>{7}));
  EXPECT_EQ(table_.counts().unlinked_waiting, 0);
}

TEST_F(OpenFileTableTest, AReportKeepsTheInodeForAnotherGrace) {
  EXPECT_TRUE(table_.Expired(1, {7, 8}).empty());
  clock_.AdvanceMs(kGraceMs - 100);
  // A mount that opened 7 just before the unlink reports it within the grace.
  table_.Report(1, 42, {7, 99});
  clock_.AdvanceMs(100);
  EXPECT_EQ(table_.Expired(1, {7, 8}), (std::vector<int64_t>{8}));
  EXPECT_EQ(table_.counts().mounts, 1);
  // The mount keeps reporting while it holds 7 open.
  for (int i = 0; i < 20; ++i) {
    clock_.AdvanceMs(kOpenFilesReportIntervalMs);
    table_.Report(1, 42, {7});
    EXPECT_TRUE(table_.Expired(1, {7}).empty());
  }
  // Closed (or the mount died): no more reports, freed a grace after the last one.
  clock_.AdvanceMs(kGraceMs - 1);
  EXPECT_TRUE(table_.Expired(1, {7}).empty());
  clock_.AdvanceMs(1);
  EXPECT_EQ(table_.Expired(1, {7}), (std::vector<int64_t>{7}));
  EXPECT_EQ(table_.counts().mounts, 0);  // its last report is older than the grace
}

TEST_F(OpenFileTableTest, ANewTermWaitsAWholeGraceAndForgetsOldReports) {
  EXPECT_TRUE(table_.Expired(1, {7}).empty());
  clock_.AdvanceMs(kGraceMs - 1);
  // Leadership moved: the new term has heard nobody yet, so nothing expires for a grace.
  EXPECT_TRUE(table_.Expired(2, {7}).empty());
  clock_.AdvanceMs(kGraceMs - 1);
  EXPECT_TRUE(table_.Expired(2, {7}).empty());
  clock_.AdvanceMs(1);
  EXPECT_EQ(table_.Expired(2, {7}), (std::vector<int64_t>{7}));
  // Reports of an older term count for nothing in a new one.
  table_.Report(3, 42, {8});
  EXPECT_EQ(table_.counts().open_inodes, 1);
  EXPECT_TRUE(table_.Expired(4, {8}).empty());
  EXPECT_EQ(table_.counts().open_inodes, 0);
}

TEST_F(OpenFileTableTest, InodesNoLongerUnlinkedAreForgotten) {
  EXPECT_TRUE(table_.Expired(1, {7, 8}).empty());
  EXPECT_EQ(table_.counts().unlinked_waiting, 2);
  EXPECT_TRUE(table_.Expired(1, {8}).empty());
  EXPECT_EQ(table_.counts().unlinked_waiting, 1);
}

// ---- the reaper, on a real state machine ----

TEST_F(UnlinkedInodeTest, ReaperFreesOnlyWhatNoMountHoldsOpen) {
  OpenFileTable table(&clock_, kGraceMs);
  UnlinkedInodeReaper reaper(UnlinkedInodeReaperOptions{.scan_interval_ms = 0}, log_.get(),
                             state_.get(), &table);
  int64_t held = FileWithChunk("held");
  int64_t dropped = FileWithChunk("dropped");
  const int64_t dropped_chunk = chunk_id_;
  ASSERT_TRUE(Propose(Unlink(kRootInode, "held")).ok());
  ASSERT_TRUE(Propose(Unlink(kRootInode, "dropped")).ok());
  // The mount holding "held" reports every interval; nobody reports "dropped".
  for (int64_t waited = 0; waited < 3 * kGraceMs; waited += kOpenFilesReportIntervalMs) {
    table.Report(0, 42, {held});
    reaper.ScanOnce();
    EXPECT_EQ(Attr(held).nlink, 0);
    clock_.AdvanceMs(kOpenFilesReportIntervalMs);
  }
  EXPECT_EQ(state_->GetAttr(dropped).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(UnlinkedInodes(), (std::vector<int64_t>{held}));
  const std::vector<int64_t> referenced = ReferencedChunks();
  EXPECT_EQ(std::count(referenced.begin(), referenced.end(), dropped_chunk), 0);
  UnlinkedInodeCounters counters = reaper.counters();
  EXPECT_EQ(counters.inodes_freed, 1u);
  EXPECT_EQ(counters.chunks_freed, 1u);
  EXPECT_EQ(counters.unlinked_inodes, 1);
  // Closed: after the grace it goes too.
  reaper.ScanOnce();
  clock_.AdvanceMs(kGraceMs);
  reaper.ScanOnce();
  EXPECT_EQ(state_->GetAttr(held).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(UnlinkedInodes().empty());
  EXPECT_EQ(reaper.counters().inodes_freed, 2u);
}

// ---- the RPC edge ----

TEST_F(UnlinkedInodeTest, ReportOpenFilesValidatesEveryField) {
  ChunkServerRegistry registry(&clock_, 5000);
  MasterServiceOptions options;
  options.open_file_grace_ms = kGraceMs;
  MasterServiceHandler handler(options, log_.get(), state_.get(), &registry, nullptr, &clock_);
  rpc::RequestContext ctx;
  EXPECT_EQ(ErrorOf([&] { handler.reportOpenFiles(ctx, 0, {5}); }),
            rpc::ErrorCode::INVALID_ARGUMENT);
  EXPECT_EQ(ErrorOf([&] { handler.reportOpenFiles(ctx, -3, {5}); }),
            rpc::ErrorCode::INVALID_ARGUMENT);
  EXPECT_EQ(ErrorOf([&] { handler.reportOpenFiles(ctx, 7, {5, 0}); }),
            rpc::ErrorCode::INVALID_ARGUMENT);
  EXPECT_EQ(ErrorOf([&] { handler.reportOpenFiles(ctx, 7, {-5}); }),
            rpc::ErrorCode::INVALID_ARGUMENT);
  std::vector<int64_t> too_many(kMaxOpenFilesPerReport + 1, 5);
  EXPECT_EQ(ErrorOf([&] { handler.reportOpenFiles(ctx, 7, too_many); }),
            rpc::ErrorCode::INVALID_ARGUMENT);
  EXPECT_EQ(handler.open_files().counts().mounts, 0);
  std::vector<int64_t> most(kMaxOpenFilesPerReport, 5);
  EXPECT_EQ(ErrorOf([&] { handler.reportOpenFiles(ctx, 7, most); }), rpc::ErrorCode::OK);
  EXPECT_EQ(ErrorOf([&] { handler.reportOpenFiles(ctx, 8, {}); }), rpc::ErrorCode::OK);
  EXPECT_EQ(handler.open_files().counts().mounts, 2);
  EXPECT_EQ(handler.open_files().counts().open_inodes, 1);
}

}  // namespace
}  // namespace tessera::master::testing
