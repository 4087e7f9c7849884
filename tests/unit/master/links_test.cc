// Hard links, symlinks, special files and rename flags in the state machine
// (master/ops/link.cc, mknod.cc, rename.cc, rename_exchange.cc).
#include <gtest/gtest.h>

#include "master_test_util.h"

namespace tessera::master::testing {
namespace {

using LinksTest = MasterStateTest;

TEST_F(LinksTest, HardLinkSharesTheInodeAndCountsLinks) {
  int64_t dir = MustCreate(Mkdir(kRootInode, "d"));
  int64_t file = MustCreate(Create(kRootInode, "a"));
  Result<ApplyResult> linked = Propose(Link(file, dir, "b"));
  ASSERT_TRUE(linked.ok()) << linked.status().ToString();
  EXPECT_EQ(linked->attr->nlink, 2);
  EXPECT_EQ(state_->Lookup(dir, "b")->inode, file);
  EXPECT_EQ(Attr(file).nlink, 2);
  EXPECT_EQ(Attr(file).ctime_ns, clock_.NowUnixNanos());
  EXPECT_EQ(Attr(dir).mtime_ns, clock_.NowUnixNanos());
  EXPECT_EQ(Attr(dir).nlink, 2);  // a file link is no subdirectory
  EXPECT_EQ(state_->Counters().inode_count, 3);
}

TEST_F(LinksTest, UnlinkUnnamesTheInodeOnlyWithTheLastLink) {
  int64_t file = MustCreate(Create(kRootInode, "a"));
  Result<ApplyResult> chunk = Propose(AllocateChunk(file, 0));
  ASSERT_TRUE(chunk.ok());
  ASSERT_TRUE(Propose(Link(file, kRootInode, "b")).ok());
  Result<ApplyResult> first = Propose(Unlink(kRootInode, "a"));
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(first->freed_chunk_ids.empty());
  EXPECT_EQ(Attr(file).nlink, 1);
  EXPECT_EQ(Attr(file).ctime_ns, clock_.NowUnixNanos());
  Result<ApplyResult> last = Propose(Unlink(kRootInode, "b"));
  ASSERT_TRUE(last.ok());
  // The last link leaves the file unnamed, for mounts that hold it open (unlinked_inode_test).
  EXPECT_TRUE(last->freed_chunk_ids.empty());
  EXPECT_EQ(Attr(file).nlink, 0);
  Result<ApplyResult> freed = Propose(FreeUnlinkedInode(file));
  ASSERT_TRUE(freed.ok()) << freed.status().ToString();
  EXPECT_EQ(freed->freed_chunk_ids, (std::vector<int64_t>{chunk->chunk->chunk_id}));
  EXPECT_EQ(state_->GetAttr(file).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(state_->Counters().chunk_count, 0);
}

TEST_F(LinksTest, LinkRefusesDirectoriesTakenNamesAndMissingInodes) {
  int64_t dir = MustCreate(Mkdir(kRootInode, "d"));
  int64_t file = MustCreate(Create(kRootInode, "a"));
  EXPECT_EQ(CodeOf(Link(dir, kRootInode, "d2")), StatusCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(Link(file, kRootInode, "d")), StatusCode::kAlreadyExists);
  EXPECT_EQ(CodeOf(Link(9999, kRootInode, "x")), StatusCode::kNotFound);
  EXPECT_EQ(CodeOf(Link(file, file, "x")), StatusCode::kNotDirectory);
  EXPECT_EQ(CodeOf(Link(file, kRootInode, std::string(256, 'n'))), StatusCode::kNameTooLong);
  EXPECT_EQ(Attr(file).nlink, 1);
}

TEST_F(LinksTest, SymlinkHoldsItsTargetAndShowsItsLength) {
  const std::string target = "../some/where";
  Result<ApplyResult> made = Propose(Mknod(kRootInode, "l", rpc::FileType::SYMLINK, target));
  ASSERT_TRUE(made.ok()) << made.status().ToString();
  rpc::Attr attr = Attr(made->attr->inode);
  EXPECT_EQ(attr.type, rpc::FileType::SYMLINK);
  EXPECT_EQ(attr.symlink_target, target);
  EXPECT_EQ(attr.size, static_cast<int64_t>(target.size()));
  EXPECT_EQ(attr.mode, 0777);
  EXPECT_EQ(attr.nlink, 1);
  EXPECT_EQ(attr.uid, 1000);
  // A symlink can have hard links like any non-directory.
  ASSERT_TRUE(Propose(Link(attr.inode, kRootInode, "l2")).ok());
  EXPECT_EQ(Attr(attr.inode).nlink, 2);
  EXPECT_EQ(CodeOf(Mknod(kRootInode, "l", rpc::FileType::SYMLINK, "x")),
            StatusCode::kAlreadyExists);
  EXPECT_EQ(CodeOf(Mknod(kRootInode, "e", rpc::FileType::SYMLINK, "")),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(Mknod(kRootInode, "e", rpc::FileType::SYMLINK, std::string(4096, 'x'))),
            StatusCode::kNameTooLong);
  EXPECT_TRUE(Propose(Mknod(kRootInode, "e", rpc::FileType::SYMLINK, std::string(4095, 'x'))).ok());
}

TEST_F(LinksTest, MknodMakesFifosAndSocketsOnly) {
  int64_t fifo = MustCreate(Mknod(kRootInode, "p", rpc::FileType::FIFO));
  int64_t sock = MustCreate(Mknod(kRootInode, "s", rpc::FileType::SOCKET));
  EXPECT_EQ(Attr(fifo).type, rpc::FileType::FIFO);
  EXPECT_EQ(Attr(fifo).mode, 0640);
  EXPECT_EQ(Attr(fifo).size, 0);
  EXPECT_EQ(Attr(sock).type, rpc::FileType::SOCKET);
  EXPECT_EQ(state_->Readdir(kRootInode, "", 10)->entries.size(), 2u);
  EXPECT_EQ(CodeOf(Mknod(kRootInode, "r", rpc::FileType::REGULAR)), StatusCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(Mknod(kRootInode, "d", rpc::FileType::DIRECTORY)),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(Mknod(kRootInode, "f", rpc::FileType::FIFO, "target")),
            StatusCode::kInvalidArgument);
  // Special files hold no data: no chunk may be allocated for them.
  EXPECT_EQ(CodeOf(AllocateChunk(fifo, 0)), StatusCode::kInvalidArgument);
  // They survive a restart (records decode with the new types).
  Reopen();
  EXPECT_EQ(Attr(sock).type, rpc::FileType::SOCKET);
  ASSERT_TRUE(Propose(Unlink(kRootInode, "p")).ok());
  EXPECT_EQ(state_->GetAttr(fifo).status().code(), StatusCode::kNotFound);
}

TEST_F(LinksTest, LongNamesAndDeepPaths) {
  EXPECT_TRUE(Propose(Create(kRootInode, std::string(255, 'n'))).ok());
  EXPECT_EQ(CodeOf(Create(kRootInode, std::string(256, 'n'))), StatusCode::kNameTooLong);
  EXPECT_EQ(CodeOf(Mkdir(kRootInode, std::string(256, 'n'))), StatusCode::kNameTooLong);
  int64_t dir = kRootInode;
  for (int depth = 0; depth < 100; ++depth) dir = MustCreate(Mkdir(dir, "level"));
  MustCreate(Create(dir, "leaf"));
  EXPECT_EQ(Attr(dir).nlink, 2);
  // The deepest directory cannot take the top of its own tree.
  EXPECT_EQ(CodeOf(Rename(kRootInode, "level", dir, "loop")), StatusCode::kInvalidArgument);
}

TEST_F(LinksTest, RenameOverAHardLinkedFileDropsOneLink) {
  int64_t source = MustCreate(Create(kRootInode, "src"));
  int64_t target = MustCreate(Create(kRootInode, "dst"));
  ASSERT_TRUE(Propose(Link(target, kRootInode, "dst2")).ok());
  Result<ApplyResult> renamed = Propose(Rename(kRootInode, "src", kRootInode, "dst"));
  ASSERT_TRUE(renamed.ok());
  EXPECT_TRUE(renamed->freed_chunk_ids.empty());
  EXPECT_EQ(state_->Lookup(kRootInode, "dst")->inode, source);
  EXPECT_EQ(Attr(target).nlink, 1);
  EXPECT_EQ(state_->Lookup(kRootInode, "dst2")->inode, target);
}

TEST_F(LinksTest, RenameBetweenLinksOfOneInodeIsANoOp) {
  int64_t file = MustCreate(Create(kRootInode, "a"));
  ASSERT_TRUE(Propose(Link(file, kRootInode, "b")).ok());
  ASSERT_TRUE(Propose(Rename(kRootInode, "a", kRootInode, "b")).ok());
  EXPECT_EQ(state_->Lookup(kRootInode, "a")->inode, file);
  EXPECT_EQ(state_->Lookup(kRootInode, "b")->inode, file);
  EXPECT_EQ(Attr(file).nlink, 2);
  ASSERT_TRUE(Propose(RenameFlags(kRootInode, "a", kRootInode, "b", kRenameExchange)).ok());
  EXPECT_EQ(Attr(file).nlink, 2);
}

TEST_F(LinksTest, RenameNoReplaceRefusesAnExistingName) {
  int64_t a = MustCreate(Create(kRootInode, "a"));
  int64_t b = MustCreate(Create(kRootInode, "b"));
  EXPECT_EQ(CodeOf(RenameFlags(kRootInode, "a", kRootInode, "b", kRenameNoReplace)),
            StatusCode::kAlreadyExists);
  EXPECT_EQ(CodeOf(RenameFlags(kRootInode, "a", kRootInode, "a", kRenameNoReplace)),
            StatusCode::kAlreadyExists);
  EXPECT_EQ(state_->Lookup(kRootInode, "b")->inode, b);
  ASSERT_TRUE(Propose(RenameFlags(kRootInode, "a", kRootInode, "c", kRenameNoReplace)).ok());
  EXPECT_EQ(state_->Lookup(kRootInode, "c")->inode, a);
  EXPECT_EQ(CodeOf(RenameFlags(kRootInode, "c", kRootInode, "d", 3)),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(RenameFlags(kRootInode, "c", kRootInode, "d", 4)),
            StatusCode::kInvalidArgument);
}

TEST_F(LinksTest, RenameExchangeSwapsFilesAtomically) {
  int64_t dir = MustCreate(Mkdir(kRootInode, "d"));
  int64_t a = MustCreate(Create(kRootInode, "a"));
  int64_t b = MustCreate(Create(dir, "b"));
  ASSERT_TRUE(Propose(RenameFlags(kRootInode, "a", dir, "b", kRenameExchange)).ok());
  EXPECT_EQ(state_->Lookup(kRootInode, "a")->inode, b);
  EXPECT_EQ(state_->Lookup(dir, "b")->inode, a);
  EXPECT_EQ(Attr(a).ctime_ns, clock_.NowUnixNanos());
  EXPECT_EQ(Attr(b).ctime_ns, clock_.NowUnixNanos());
  EXPECT_EQ(Attr(kRootInode).mtime_ns, clock_.NowUnixNanos());
  EXPECT_EQ(Attr(dir).mtime_ns, clock_.NowUnixNanos());
  EXPECT_EQ(state_->Counters().inode_count, 4);
  EXPECT_EQ(CodeOf(RenameFlags(kRootInode, "a", dir, "missing", kRenameExchange)),
            StatusCode::kNotFound);
}

TEST_F(LinksTest, RenameExchangeOfFileAndDirectoryMovesTheDotDotLink) {
  int64_t left = MustCreate(Mkdir(kRootInode, "left"));
  int64_t right = MustCreate(Mkdir(kRootInode, "right"));
  int64_t sub = MustCreate(Mkdir(left, "sub"));
  MustCreate(Create(sub, "inner"));
  int64_t file = MustCreate(Create(right, "file"));
  EXPECT_EQ(Attr(left).nlink, 3);
  EXPECT_EQ(Attr(right).nlink, 2);
  ASSERT_TRUE(Propose(RenameFlags(left, "sub", right, "file", kRenameExchange)).ok());
  EXPECT_EQ(state_->Lookup(right, "file")->inode, sub);
  EXPECT_EQ(state_->Lookup(left, "sub")->inode, file);
  EXPECT_EQ(state_->Readdir(left, "", 10)->entries[0].type, rpc::FileType::REGULAR);
  EXPECT_EQ(Attr(left).nlink, 2);
  EXPECT_EQ(Attr(right).nlink, 3);
  EXPECT_TRUE(state_->Lookup(sub, "inner").ok());
  // The moved directory's parent pointer followed: moving `right` below it is a cycle.
  EXPECT_EQ(CodeOf(Rename(kRootInode, "right", sub, "x")), StatusCode::kInvalidArgument);
}

TEST_F(LinksTest, RenameExchangeOfTwoDirectoriesKeepsLinkCounts) {
  int64_t left = MustCreate(Mkdir(kRootInode, "left"));
  int64_t right = MustCreate(Mkdir(kRootInode, "right"));
  int64_t x = MustCreate(Mkdir(left, "x"));
  int64_t y = MustCreate(Mkdir(right, "y"));
  MustCreate(Create(y, "full"));  // exchange does not care about emptiness
  ASSERT_TRUE(Propose(RenameFlags(left, "x", right, "y", kRenameExchange)).ok());
  EXPECT_EQ(state_->Lookup(left, "x")->inode, y);
  EXPECT_EQ(state_->Lookup(right, "y")->inode, x);
  EXPECT_EQ(Attr(left).nlink, 3);
  EXPECT_EQ(Attr(right).nlink, 3);
}

TEST_F(LinksTest, RenameExchangeRefusesADirectoryIntoItsOwnSubtree) {
  int64_t top = MustCreate(Mkdir(kRootInode, "top"));
  int64_t mid = MustCreate(Mkdir(top, "mid"));
  MustCreate(Create(mid, "f"));
  EXPECT_EQ(CodeOf(RenameFlags(kRootInode, "top", mid, "f", kRenameExchange)),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(RenameFlags(mid, "f", kRootInode, "top", kRenameExchange)),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(RenameFlags(top, "mid", kRootInode, "top", kRenameExchange)),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(state_->Lookup(kRootInode, "top")->inode, top);
  EXPECT_EQ(state_->Lookup(top, "mid")->inode, mid);
}

TEST_F(LinksTest, DirectoryLinkCountIsTwoPlusSubdirectories) {
  int64_t dir = MustCreate(Mkdir(kRootInode, "d"));
  for (int i = 0; i < 5; ++i) MustCreate(Mkdir(dir, "s" + std::to_string(i)));
  MustCreate(Create(dir, "file"));
  EXPECT_EQ(Attr(dir).nlink, 7);
  ASSERT_TRUE(Propose(Rmdir(dir, "s0")).ok());
  ASSERT_TRUE(Propose(Rename(dir, "s1", kRootInode, "s1")).ok());
  ASSERT_TRUE(Propose(Rename(dir, "s2", dir, "s3")).ok());  // replaces the empty s3
  EXPECT_EQ(Attr(dir).nlink, 4);
  EXPECT_EQ(Attr(kRootInode).nlink, 4);
}

}  // namespace
}  // namespace tessera::master::testing
