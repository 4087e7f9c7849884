#include "master/state_machine.h"

#include <gtest/gtest.h>

#include <set>

#include "master_test_util.h"

namespace tessera::master::testing {
namespace {

using StateMachineTest = MasterStateTest;

TEST_F(StateMachineTest, RootExistsAfterInit) {
  rpc::Attr root = Attr(kRootInode);
  EXPECT_EQ(root.type, rpc::FileType::DIRECTORY);
  EXPECT_EQ(root.mode, 0755);
  EXPECT_EQ(root.nlink, 2);
  EXPECT_EQ(CodeOf(InitRoot()), StatusCode::kAlreadyExists);
}

TEST_F(StateMachineTest, MkdirCreatesDirectoryAndUpdatesParent) {
  int64_t before = Attr(kRootInode).mtime_ns;
  int64_t dir = MustCreate(Mkdir(kRootInode, "a", 0700));
  rpc::Attr attr = Attr(dir);
  EXPECT_EQ(attr.type, rpc::FileType::DIRECTORY);
  EXPECT_EQ(attr.mode, 0700);
  EXPECT_EQ(attr.nlink, 2);
  rpc::Attr root = Attr(kRootInode);
  EXPECT_EQ(root.nlink, 3);
  EXPECT_GT(root.mtime_ns, before);
  EXPECT_EQ(root.ctime_ns, root.mtime_ns);
  Result<rpc::Attr> found = state_->Lookup(kRootInode, "a");
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->inode, dir);
}

TEST_F(StateMachineTest, MkdirAndCreateRefuseExistingNames) {
  MustCreate(Mkdir(kRootInode, "d"));
  MustCreate(Create(kRootInode, "f"));
  EXPECT_EQ(CodeOf(Mkdir(kRootInode, "d")), StatusCode::kAlreadyExists);
  EXPECT_EQ(CodeOf(Mkdir(kRootInode, "f")), StatusCode::kAlreadyExists);
  EXPECT_EQ(CodeOf(Create(kRootInode, "d")), StatusCode::kAlreadyExists);
  EXPECT_EQ(CodeOf(Create(kRootInode, "f")), StatusCode::kAlreadyExists);
}

TEST_F(StateMachineTest, CommandsValidateTheirFields) {
  EXPECT_EQ(CodeOf(Mkdir(kRootInode, "")), StatusCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(Mkdir(kRootInode, "a/b")), StatusCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(Mkdir(kRootInode, "..")), StatusCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(Mkdir(kRootInode, std::string(256, 'x'))), StatusCode::kNameTooLong);
  EXPECT_EQ(CodeOf(Mkdir(kRootInode, "m", 010000)), StatusCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(Mkdir(999, "x")), StatusCode::kNotFound);
  EXPECT_EQ(CodeOf(Create(kRootInode, "g", 0)), StatusCode::kInvalidArgument);
  int64_t file = MustCreate(Create(kRootInode, "f"));
  EXPECT_EQ(CodeOf(Mkdir(file, "x")), StatusCode::kNotDirectory);
  EXPECT_EQ(CodeOf(MetaCommand()), StatusCode::kInvalidArgument);
}

TEST_F(StateMachineTest, RefusedCommandStillAdvancesAppliedIndexAndChangesNothing) {
  int64_t applied = state_->Counters().applied_index;
  int64_t inodes = state_->Counters().inode_count;
  EXPECT_EQ(CodeOf(Mkdir(999, "x")), StatusCode::kNotFound);
  EXPECT_EQ(state_->Counters().applied_index, applied + 1);
  EXPECT_EQ(state_->Counters().inode_count, inodes);
}

TEST_F(StateMachineTest, CreateMakesEmptyFileWithGoal) {
  int64_t file = MustCreate(Create(kRootInode, "f", 3));
  rpc::Attr attr = Attr(file);
  EXPECT_EQ(attr.type, rpc::FileType::REGULAR);
  EXPECT_EQ(attr.size, 0);
  EXPECT_EQ(attr.nlink, 1);
  EXPECT_EQ(attr.goal, 3);
  EXPECT_EQ(Attr(kRootInode).nlink, 2);  // files do not add links to their directory
}

TEST_F(StateMachineTest, UnlinkRemovesFileAndFreesChunks) {
  int64_t file = MustCreate(Create(kRootInode, "f"));
  Result<ApplyResult> c0 = Propose(AllocateChunk(file, 0));
  Result<ApplyResult> c1 = Propose(AllocateChunk(file, 1));
  ASSERT_TRUE(c0.ok() && c1.ok());
  EXPECT_EQ(state_->Counters().chunk_count, 2);
  Result<ApplyResult> unlinked = Propose(Unlink(kRootInode, "f"));
  ASSERT_TRUE(unlinked.ok()) << unlinked.status().ToString();
  EXPECT_TRUE(unlinked->freed_chunk_ids.empty());  // kept while a mount may hold it open
  Result<ApplyResult> removed = Propose(FreeUnlinkedInode(file));
  ASSERT_TRUE(removed.ok()) << removed.status().ToString();
  EXPECT_EQ(std::set<int64_t>(removed->freed_chunk_ids.begin(), removed->freed_chunk_ids.end()),
            (std::set<int64_t>{c0->chunk->chunk_id, c1->chunk->chunk_id}));
  EXPECT_EQ(state_->GetAttr(file).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(state_->Lookup(kRootInode, "f").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(state_->Counters().chunk_count, 0);
  EXPECT_EQ(state_->Counters().inode_count, 1);
}

TEST_F(StateMachineTest, UnlinkErrors) {
  MustCreate(Mkdir(kRootInode, "d"));
  EXPECT_EQ(CodeOf(Unlink(kRootInode, "d")), StatusCode::kIsDirectory);
  EXPECT_EQ(CodeOf(Unlink(kRootInode, "missing")), StatusCode::kNotFound);
}

TEST_F(StateMachineTest, RmdirSemantics) {
  int64_t dir = MustCreate(Mkdir(kRootInode, "d"));
  MustCreate(Create(dir, "f"));
  MustCreate(Create(kRootInode, "file"));
  EXPECT_EQ(CodeOf(Rmdir(kRootInode, "d")), StatusCode::kNotEmpty);
  EXPECT_EQ(CodeOf(Rmdir(kRootInode, "file")), StatusCode::kNotDirectory);
  EXPECT_EQ(CodeOf(Rmdir(kRootInode, "missing")), StatusCode::kNotFound);
  ASSERT_TRUE(Propose(Unlink(dir, "f")).ok());
  EXPECT_EQ(Attr(kRootInode).nlink, 3);
  ASSERT_TRUE(Propose(Rmdir(kRootInode, "d")).ok());
  EXPECT_EQ(Attr(kRootInode).nlink, 2);
  EXPECT_EQ(state_->GetAttr(dir).status().code(), StatusCode::kNotFound);
}

TEST_F(StateMachineTest, ReaddirPagesThroughManyEntriesInNameOrder) {
  constexpr int kEntries = 2500;
  int64_t dir = MustCreate(Mkdir(kRootInode, "big"));
  std::set<std::string> expected;
  for (int i = 0; i < kEntries; ++i) {
    std::string name = "entry-" + std::to_string(i);
    expected.insert(name);
    MetaCommand command = (i % 10 == 0) ? Mkdir(dir, name) : Create(dir, name);
    ASSERT_TRUE(log_->Propose(std::move(command)).ok());
  }
  std::vector<std::string> listed;
  std::string after;
  int pages = 0;
  while (true) {
    Result<rpc::ReaddirReply> page = state_->Readdir(dir, after, 1000);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    ++pages;
    for (const rpc::DirEntry& entry : page->entries) {
      listed.push_back(entry.name);
      bool made_by_mkdir = std::stoi(entry.name.substr(6)) % 10 == 0;
      EXPECT_EQ(entry.type, made_by_mkdir ? rpc::FileType::DIRECTORY : rpc::FileType::REGULAR);
    }
    if (page->eof) break;
    ASSERT_FALSE(page->entries.empty());
    after = page->entries.back().name;
  }
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(listed, std::vector<std::string>(expected.begin(), expected.end()));
  EXPECT_EQ(Attr(dir).nlink, 2 + kEntries / 10);
}

TEST_F(StateMachineTest, ReaddirLimitsAndErrors) {
  int64_t file = MustCreate(Create(kRootInode, "f"));
  EXPECT_EQ(state_->Readdir(kRootInode, "", 0).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(state_->Readdir(kRootInode, "", kMaxReaddirEntries + 1).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(state_->Readdir(file, "", 10).status().code(), StatusCode::kNotDirectory);
  EXPECT_EQ(state_->Readdir(12345, "", 10).status().code(), StatusCode::kNotFound);
  Result<rpc::ReaddirReply> after_last = state_->Readdir(kRootInode, "f", 10);
  ASSERT_TRUE(after_last.ok());
  EXPECT_TRUE(after_last->entries.empty());
  EXPECT_TRUE(after_last->eof);
}

TEST_F(StateMachineTest, ReapplyingAnAppliedIndexIsANoOp) {
  int64_t applied = state_->Counters().applied_index;
  Result<ApplyResult> replay = state_->Apply(applied, Mkdir(kRootInode, "late"));
  ASSERT_TRUE(replay.ok());
  EXPECT_TRUE(replay->already_applied);
  EXPECT_EQ(state_->Lookup(kRootInode, "late").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(state_->Counters().applied_index, applied);
}

TEST_F(StateMachineTest, RestartKeepsEverything) {
  int64_t dir = MustCreate(Mkdir(kRootInode, "d"));
  int64_t file = MustCreate(Create(dir, "f"));
  ASSERT_TRUE(Propose(AllocateChunk(file, 0)).ok());
  ASSERT_TRUE(Propose(CommitWrite(file, 4096, 77)).ok());
  MetaCounters before = state_->Counters();
  Reopen();
  MetaCounters after = state_->Counters();
  EXPECT_EQ(after.applied_index, before.applied_index);
  EXPECT_EQ(after.next_inode, before.next_inode);
  EXPECT_EQ(after.next_chunk_id, before.next_chunk_id);
  EXPECT_EQ(after.inode_count, 3);
  EXPECT_EQ(after.chunk_count, 1);
  EXPECT_EQ(Attr(file).size, 4096);
  EXPECT_EQ(state_->Lookup(dir, "f")->inode, file);
  // New ids continue after the old ones.
  int64_t next = MustCreate(Create(dir, "g"));
  EXPECT_EQ(next, before.next_inode);
}

TEST_F(StateMachineTest, TruncateFreesChunksEntirelyBeyondTheNewSize) {
  int64_t file = MustCreate(Create(kRootInode, "f"));
  std::vector<int64_t> ids;
  for (int index = 0; index < 4; ++index) {
    Result<ApplyResult> allocated = Propose(AllocateChunk(file, index));
    ASSERT_TRUE(allocated.ok());
    ids.push_back(allocated->chunk->chunk_id);
  }
  ASSERT_TRUE(Propose(CommitWrite(file, 4 * kChunkSize, 5)).ok());
  // One byte into chunk 1: chunks 2 and 3 go, chunk 1 stays.
  Result<ApplyResult> truncated = Propose(Truncate(file, kChunkSize + 1));
  ASSERT_TRUE(truncated.ok()) << truncated.status().ToString();
  EXPECT_EQ(truncated->freed_chunk_ids, (std::vector<int64_t>{ids[2], ids[3]}));
  EXPECT_EQ(Attr(file).size, kChunkSize + 1);
  Result<std::vector<ChunkAtIndex>> chunks = state_->GetChunks(file, 0, 10);
  ASSERT_TRUE(chunks.ok());
  ASSERT_EQ(chunks->size(), 2u);
  // Exactly at a chunk boundary: chunk 1 goes too.
  truncated = Propose(Truncate(file, kChunkSize));
  ASSERT_TRUE(truncated.ok());
  EXPECT_EQ(truncated->freed_chunk_ids, (std::vector<int64_t>{ids[1]}));
  truncated = Propose(Truncate(file, 0));
  ASSERT_TRUE(truncated.ok());
  EXPECT_EQ(truncated->freed_chunk_ids, (std::vector<int64_t>{ids[0]}));
  EXPECT_EQ(state_->Counters().chunk_count, 0);
  // Growing adds no chunks (a hole).
  ASSERT_TRUE(Propose(Truncate(file, 3 * kChunkSize)).ok());
  EXPECT_EQ(Attr(file).size, 3 * kChunkSize);
  int64_t dir = MustCreate(Mkdir(kRootInode, "d"));
  EXPECT_EQ(CodeOf(Truncate(dir, 0)), StatusCode::kIsDirectory);
  EXPECT_EQ(CodeOf(Truncate(file, -1)), StatusCode::kInvalidArgument);
}

TEST_F(StateMachineTest, SetAttrChangesOnlyGivenFieldsAndAlwaysCtime) {
  int64_t file = MustCreate(Create(kRootInode, "f"));
  rpc::Attr before = Attr(file);
  master_state::SetAttrCommand set_attr;
  set_attr.inode = file;
  set_attr.__set_mode(0600);
  set_attr.__set_uid(42);
  set_attr.__set_atime_ns(1000);
  set_attr.mtime_now = true;
  MetaCommand command;
  command.__set_set_attr(set_attr);
  Result<ApplyResult> result = Propose(command);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  rpc::Attr after = Attr(file);
  EXPECT_EQ(after.mode, 0600);
  EXPECT_EQ(after.uid, 42);
  EXPECT_EQ(after.gid, before.gid);
  EXPECT_EQ(after.atime_ns, 1000);
  EXPECT_EQ(after.mtime_ns, clock_.NowUnixNanos());
  EXPECT_EQ(after.ctime_ns, clock_.NowUnixNanos());
  EXPECT_EQ(after.size, 0);
  set_attr = {};
  set_attr.inode = file;
  set_attr.__set_mode(01000000);
  command.__set_set_attr(set_attr);
  EXPECT_EQ(CodeOf(command), StatusCode::kInvalidArgument);
  set_attr.inode = 9999;
  set_attr.__isset.mode = false;
  command.__set_set_attr(set_attr);
  EXPECT_EQ(CodeOf(command), StatusCode::kNotFound);
}

TEST_F(StateMachineTest, AllocateChunkKeepsAnExistingChunk) {
  int64_t file = MustCreate(Create(kRootInode, "f"));
  Result<ApplyResult> first = Propose(AllocateChunk(file, 5));
  Result<ApplyResult> second = Propose(AllocateChunk(file, 5));
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_TRUE(first->chunk_created);
  EXPECT_FALSE(second->chunk_created);
  EXPECT_EQ(first->chunk->chunk_id, second->chunk->chunk_id);
  EXPECT_EQ(first->chunk->version, 1);
  Result<ApplyResult> other = Propose(AllocateChunk(file, 6));
  ASSERT_TRUE(other.ok());
  EXPECT_NE(other->chunk->chunk_id, first->chunk->chunk_id);
  Result<std::vector<ChunkAtIndex>> chunks = state_->GetChunks(file, 0, 6);
  ASSERT_TRUE(chunks.ok());
  ASSERT_EQ(chunks->size(), 1u);  // index 6 is outside [0, 6)
  EXPECT_EQ((*chunks)[0].chunk_index, 5);
  int64_t dir = MustCreate(Mkdir(kRootInode, "d"));
  EXPECT_EQ(CodeOf(AllocateChunk(dir, 0)), StatusCode::kIsDirectory);
  EXPECT_EQ(CodeOf(AllocateChunk(file, -1)), StatusCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(AllocateChunk(file, kMaxFileSize / kChunkSize)), StatusCode::kInvalidArgument);
}

TEST_F(StateMachineTest, CommitWriteGrowsButNeverShrinks) {
  int64_t file = MustCreate(Create(kRootInode, "f"));
  Result<ApplyResult> grown = Propose(CommitWrite(file, 1000, 123));
  ASSERT_TRUE(grown.ok());
  EXPECT_EQ(grown->attr->size, 1000);
  EXPECT_EQ(grown->attr->mtime_ns, 123);
  EXPECT_EQ(grown->attr->ctime_ns, 123);
  ASSERT_TRUE(Propose(CommitWrite(file, 10, 124)).ok());
  EXPECT_EQ(Attr(file).size, 1000);
  EXPECT_EQ(CodeOf(CommitWrite(file, kMaxFileSize + 1, 1)), StatusCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(CommitWrite(kRootInode, 1, 1)), StatusCode::kIsDirectory);
}

TEST_F(StateMachineTest, GoalIsSetOnFilesAndInheritedFromDirectories) {
  int64_t file = MustCreate(Create(kRootInode, "f", /*goal=*/3));
  ASSERT_TRUE(Propose(SetGoal(file, 2)).ok());
  EXPECT_EQ(Attr(file).goal, 2);
  int64_t dir = MustCreate(Mkdir(kRootInode, "d"));
  ASSERT_TRUE(Propose(SetGoal(dir, 5)).ok());
  int64_t inner = MustCreate(Mkdir(dir, "inner"));
  EXPECT_EQ(Attr(inner).goal, 5) << "a new directory inherits its parent's goal";
  EXPECT_EQ(Attr(MustCreate(Create(inner, "g", /*goal=*/3))).goal, 5)
      << "a new file takes its directory's goal over the default";
  EXPECT_EQ(Attr(MustCreate(Create(kRootInode, "h", /*goal=*/3))).goal, 3)
      << "without a goal on the directory, the default applies";
  EXPECT_EQ(CodeOf(SetGoal(file, 0)), StatusCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(SetGoal(file, 17)), StatusCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(SetGoal(999999, 2)), StatusCode::kNotFound);
}

TEST_F(StateMachineTest, DrainingServersAreRecordedDurablyAndValidated) {
  ASSERT_TRUE(Propose(SetServerDraining(3, true)).ok());
  ASSERT_TRUE(Propose(SetServerDraining(9, true)).ok());
  ASSERT_TRUE(Propose(SetServerDraining(3, true)).ok()) << "starting again is harmless";
  Result<std::set<int64_t>> draining = state_->DrainingServerIds();
  ASSERT_TRUE(draining.ok());
  EXPECT_EQ(*draining, (std::set<int64_t>{3, 9}));
  ASSERT_TRUE(Propose(SetServerDraining(3, false)).ok());
  EXPECT_EQ(*state_->DrainingServerIds(), (std::set<int64_t>{9}));
  EXPECT_EQ(CodeOf(SetServerDraining(3, false)), StatusCode::kNotFound);
  EXPECT_EQ(CodeOf(SetServerDraining(0, true)), StatusCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(SetServerDraining(-4, true)), StatusCode::kInvalidArgument);
  EXPECT_EQ(*state_->DrainingServerIds(), (std::set<int64_t>{9}));
}

TEST_F(StateMachineTest, TheOperatorsBalanceIsRecordedDurablyAndValidated) {
  EXPECT_FALSE(state_->BalanceWish()->has_value());
  EXPECT_EQ(CodeOf(SetBalance("stopped")), StatusCode::kNotFound);
  ASSERT_TRUE(Propose(SetBalance("running", 10, 5'000'000)).ok());
  std::optional<BalanceRecord> wish = *state_->BalanceWish();
  ASSERT_TRUE(wish.has_value());
  EXPECT_EQ(wish->state, "running");
  EXPECT_EQ(wish->threshold_pct, 10);
  EXPECT_EQ(wish->bandwidth_bytes_per_sec, 5'000'000);
  EXPECT_GT(wish->since_ns, 0);
  ASSERT_TRUE(Propose(SetBalance("done")).ok());
  EXPECT_EQ((*state_->BalanceWish())->state, "done");
  EXPECT_EQ((*state_->BalanceWish())->threshold_pct, 10) << "the parameters stay";
  EXPECT_EQ(CodeOf(SetBalance("stopped")), StatusCode::kNotFound) << "it is done already";
  ASSERT_TRUE(Propose(SetBalance("running", 2.5, 0)).ok());
  ASSERT_TRUE(Propose(SetBalance("stopped")).ok());
  EXPECT_EQ((*state_->BalanceWish())->state, "stopped");
  EXPECT_EQ(CodeOf(SetBalance("running", 0, 0)), StatusCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(SetBalance("running", 51, 0)), StatusCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(SetBalance("running", 10, -1)), StatusCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(SetBalance("paused")), StatusCode::kInvalidArgument);
  EXPECT_EQ((*state_->BalanceWish())->state, "stopped");
}

}  // namespace
}  // namespace tessera::master::testing
