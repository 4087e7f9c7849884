// rename(2) semantics of the state machine (master/ops/rename.cc).
#include <gtest/gtest.h>

#include "master_test_util.h"

namespace tessera::master::testing {
namespace {

using RenameTest = MasterStateTest;

TEST_F(RenameTest, MovesFileWithinDirectory) {
  int64_t file = MustCreate(Create(kRootInode, "a"));
  ASSERT_TRUE(Propose(Rename(kRootInode, "a", kRootInode, "b")).ok());
  EXPECT_EQ(state_->Lookup(kRootInode, "a").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(state_->Lookup(kRootInode, "b")->inode, file);
  EXPECT_EQ(Attr(kRootInode).nlink, 2);
  EXPECT_EQ(Attr(kRootInode).mtime_ns, clock_.NowUnixNanos());
  EXPECT_EQ(Attr(file).ctime_ns, clock_.NowUnixNanos());
}

TEST_F(RenameTest, RenameOntoItselfIsANoOp) {
  int64_t file = MustCreate(Create(kRootInode, "a"));
  ASSERT_TRUE(Propose(Rename(kRootInode, "a", kRootInode, "a")).ok());
  EXPECT_EQ(state_->Lookup(kRootInode, "a")->inode, file);
}

TEST_F(RenameTest, ReplacesExistingFileWhichIsFreedOnceUnlinkedInodeGoes) {
  int64_t source = MustCreate(Create(kRootInode, "src"));
  int64_t target = MustCreate(Create(kRootInode, "dst"));
  Result<ApplyResult> chunk = Propose(AllocateChunk(target, 0));
  ASSERT_TRUE(chunk.ok());
  Result<ApplyResult> renamed = Propose(Rename(kRootInode, "src", kRootInode, "dst"));
  ASSERT_TRUE(renamed.ok()) << renamed.status().ToString();
  // The replaced file stays unnamed while mounts may hold it open (unlinked_inode_test).
  EXPECT_TRUE(renamed->freed_chunk_ids.empty());
  EXPECT_EQ(state_->Lookup(kRootInode, "dst")->inode, source);
  EXPECT_EQ(Attr(target).nlink, 0);
  Result<ApplyResult> freed = Propose(FreeUnlinkedInode(target));
  ASSERT_TRUE(freed.ok()) << freed.status().ToString();
  EXPECT_EQ(freed->freed_chunk_ids, (std::vector<int64_t>{chunk->chunk->chunk_id}));
  EXPECT_EQ(state_->GetAttr(target).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(state_->Counters().inode_count, 2);
}

TEST_F(RenameTest, MovesDirectoryBetweenParentsAndFixesLinkCounts) {
  int64_t a = MustCreate(Mkdir(kRootInode, "a"));
  int64_t b = MustCreate(Mkdir(kRootInode, "b"));
  int64_t moved = MustCreate(Mkdir(a, "sub"));
  MustCreate(Create(moved, "inner"));
  EXPECT_EQ(Attr(a).nlink, 3);
  ASSERT_TRUE(Propose(Rename(a, "sub", b, "sub2")).ok());
  EXPECT_EQ(Attr(a).nlink, 2);
  EXPECT_EQ(Attr(b).nlink, 3);
  EXPECT_EQ(state_->Lookup(b, "sub2")->inode, moved);
  EXPECT_TRUE(state_->Lookup(moved, "inner").ok());
  EXPECT_EQ(Attr(a).mtime_ns, clock_.NowUnixNanos());
  EXPECT_EQ(Attr(b).mtime_ns, clock_.NowUnixNanos());
  // The moved directory's parent pointer follows: moving b into sub2 is now a cycle.
  EXPECT_EQ(CodeOf(Rename(kRootInode, "b", moved, "loop")), StatusCode::kInvalidArgument);
}

TEST_F(RenameTest, DirectoryOverEmptyDirectoryReplacesIt) {
  int64_t source = MustCreate(Mkdir(kRootInode, "src"));
  int64_t target = MustCreate(Mkdir(kRootInode, "dst"));
  EXPECT_EQ(Attr(kRootInode).nlink, 4);
  ASSERT_TRUE(Propose(Rename(kRootInode, "src", kRootInode, "dst")).ok());
  EXPECT_EQ(state_->Lookup(kRootInode, "dst")->inode, source);
  EXPECT_EQ(state_->GetAttr(target).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(Attr(kRootInode).nlink, 3);
}

TEST_F(RenameTest, DirectoryOverEmptyDirectoryInAnotherParent) {
  int64_t a = MustCreate(Mkdir(kRootInode, "a"));
  int64_t b = MustCreate(Mkdir(kRootInode, "b"));
  MustCreate(Mkdir(a, "src"));
  MustCreate(Mkdir(b, "dst"));
  ASSERT_TRUE(Propose(Rename(a, "src", b, "dst")).ok());
  EXPECT_EQ(Attr(a).nlink, 2);
  EXPECT_EQ(Attr(b).nlink, 3);
}

TEST_F(RenameTest, RefusesIncompatibleOrNonEmptyTargets) {
  int64_t full = MustCreate(Mkdir(kRootInode, "full"));
  MustCreate(Create(full, "x"));
  MustCreate(Mkdir(kRootInode, "dir"));
  MustCreate(Create(kRootInode, "file"));
  EXPECT_EQ(CodeOf(Rename(kRootInode, "dir", kRootInode, "full")), StatusCode::kNotEmpty);
  EXPECT_EQ(CodeOf(Rename(kRootInode, "dir", kRootInode, "file")), StatusCode::kNotDirectory);
  EXPECT_EQ(CodeOf(Rename(kRootInode, "file", kRootInode, "dir")), StatusCode::kIsDirectory);
  EXPECT_EQ(CodeOf(Rename(kRootInode, "missing", kRootInode, "x")), StatusCode::kNotFound);
  EXPECT_EQ(CodeOf(Rename(kRootInode, "file", 9999, "x")), StatusCode::kNotFound);
  int64_t file = state_->Lookup(kRootInode, "file")->inode;
  EXPECT_EQ(CodeOf(Rename(kRootInode, "dir", file, "x")), StatusCode::kNotDirectory);
  // Nothing moved.
  EXPECT_TRUE(state_->Lookup(kRootInode, "dir").ok());
  EXPECT_TRUE(state_->Lookup(full, "x").ok());
}

TEST_F(RenameTest, RefusesMovingDirectoryIntoItsOwnSubtree) {
  int64_t top = MustCreate(Mkdir(kRootInode, "top"));
  int64_t mid = MustCreate(Mkdir(top, "mid"));
  int64_t low = MustCreate(Mkdir(mid, "low"));
  EXPECT_EQ(CodeOf(Rename(kRootInode, "top", low, "x")), StatusCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(Rename(kRootInode, "top", top, "x")), StatusCode::kInvalidArgument);
  // Moving a subtree up is fine.
  ASSERT_TRUE(Propose(Rename(mid, "low", kRootInode, "low")).ok());
  EXPECT_EQ(Attr(kRootInode).nlink, 4);
}

}  // namespace
}  // namespace tessera::master::testing
