// Permission checks and time updates of the namespace ops (master/ops/*.cc) for commands that
// carry a caller, applied through the state machine as the daemon does.
#include <gtest/gtest.h>

#include "master/permissions.h"
#include "master_test_util.h"

namespace tessera::master::testing {
namespace {

constexpr int32_t kAlice = 1000;
constexpr int32_t kBob = 1001;
constexpr int32_t kStaff = 50;

master_state::Caller User(int32_t uid, int32_t gid, std::vector<int32_t> groups = {}) {
  master_state::Caller caller;
  caller.uid = uid;
  caller.gid = gid;
  caller.groups = std::move(groups);
  return caller;
}

// `command` as asked by `caller` (new inodes owned by it, as the RPC handler does).
MetaCommand As(const master_state::Caller& caller, MetaCommand command) {
  auto& set = command.__isset;
  if (set.mkdir) {
    command.mkdir.__set_caller(caller);
    command.mkdir.uid = caller.uid;
    command.mkdir.gid = caller.gid;
  }
  if (set.create) {
    command.create.__set_caller(caller);
    command.create.uid = caller.uid;
    command.create.gid = caller.gid;
  }
  if (set.unlink) command.unlink.__set_caller(caller);
  if (set.rmdir) command.rmdir.__set_caller(caller);
  if (set.rename) command.rename.__set_caller(caller);
  if (set.set_attr) command.set_attr.__set_caller(caller);
  if (set.commit_write) command.commit_write.__set_caller(caller);
  if (set.link) command.link.__set_caller(caller);
  if (set.mknod) {
    command.mknod.__set_caller(caller);
    command.mknod.uid = caller.uid;
    command.mknod.gid = caller.gid;
  }
  return command;
}

master_state::SetAttrCommand SetAttrOf(int64_t inode) {
  master_state::SetAttrCommand set_attr;
  set_attr.inode = inode;
  return set_attr;
}
MetaCommand Wrap(const master_state::SetAttrCommand& set_attr) {
  MetaCommand command;
  command.__set_set_attr(set_attr);
  return command;
}
MetaCommand Chmod(int64_t inode, int32_t mode) {
  auto set_attr = SetAttrOf(inode);
  set_attr.__set_mode(mode);
  return Wrap(set_attr);
}
MetaCommand Chown(int64_t inode, std::optional<int32_t> uid, std::optional<int32_t> gid) {
  auto set_attr = SetAttrOf(inode);
  if (uid) set_attr.__set_uid(*uid);
  if (gid) set_attr.__set_gid(*gid);
  return Wrap(set_attr);
}
MetaCommand Touch(int64_t inode, bool atime_now, bool mtime_now) {
  auto set_attr = SetAttrOf(inode);
  set_attr.atime_now = atime_now;
  set_attr.mtime_now = mtime_now;
  return Wrap(set_attr);
}
MetaCommand SetTimes(int64_t inode, std::optional<int64_t> atime, std::optional<int64_t> mtime) {
  auto set_attr = SetAttrOf(inode);
  if (atime) set_attr.__set_atime_ns(*atime);
  if (mtime) set_attr.__set_mtime_ns(*mtime);
  return Wrap(set_attr);
}

const master_state::Caller kRootCaller = User(0, 0);
const master_state::Caller kAliceCaller = User(kAlice, kAlice);
const master_state::Caller kBobCaller = User(kBob, kBob);

class PermissionOpsTest : public MasterStateTest {
 protected:
  // A directory under the root made by root, then given `mode` and `uid`.
  int64_t RootMadeDir(const std::string& name, int32_t mode, int32_t uid = 0, int32_t gid = 0) {
    int64_t dir = MustCreate(As(kRootCaller, Mkdir(kRootInode, name, 0755)));
    EXPECT_TRUE(Propose(As(kRootCaller, Chown(dir, uid, gid))).ok());
    EXPECT_TRUE(Propose(As(kRootCaller, Chmod(dir, mode))).ok());
    return dir;
  }
  int64_t Now() const { return clock_.NowUnixNanos(); }
};

TEST_F(PermissionOpsTest, PrivateDirectoryRefusesOtherUsers) {
  int64_t home = RootMadeDir("home", 0700, kAlice, kAlice);
  MustCreate(As(kAliceCaller, Create(home, "mine")));
  EXPECT_EQ(CodeOf(As(kBobCaller, Create(home, "x"))), StatusCode::kPermissionDenied);
  EXPECT_EQ(CodeOf(As(kBobCaller, Mkdir(home, "x"))), StatusCode::kPermissionDenied);
  EXPECT_EQ(CodeOf(As(kBobCaller, Unlink(home, "mine"))), StatusCode::kPermissionDenied);
  EXPECT_EQ(CodeOf(As(kBobCaller, Rename(home, "mine", kRootInode, "stolen"))),
            StatusCode::kPermissionDenied);
  // Root passes, and a command without a caller (the master's own) is not checked.
  MustCreate(As(kRootCaller, Create(home, "roots")));
  EXPECT_TRUE(Propose(Unlink(home, "roots")).ok());
}

TEST_F(PermissionOpsTest, LinksSymlinksAndNodesNeedWriteOnTheirDirectory) {
  int64_t home = RootMadeDir("home", 0755, kAlice, kAlice);
  int64_t open_dir = RootMadeDir("open", 0777);
  int64_t bobs = MustCreate(As(kBobCaller, Create(open_dir, "bobs")));
  EXPECT_EQ(CodeOf(As(kBobCaller, Link(bobs, home, "l"))), StatusCode::kPermissionDenied);
  EXPECT_EQ(CodeOf(As(kBobCaller, Mknod(home, "s", rpc::FileType::SYMLINK, "/x"))),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(CodeOf(As(kBobCaller, Mknod(home, "p", rpc::FileType::FIFO))),
            StatusCode::kPermissionDenied);
  EXPECT_TRUE(Propose(As(kAliceCaller, Link(bobs, home, "l"))).ok());
  int64_t fifo = MustCreate(As(kAliceCaller, Mknod(home, "p", rpc::FileType::FIFO)));
  EXPECT_EQ(Attr(fifo).uid, kAlice);
  // A setgid directory passes its group to nodes as to files.
  int64_t shared = RootMadeDir("shared", 02777, 0, kStaff);
  int64_t link = MustCreate(As(kBobCaller, Mknod(shared, "s", rpc::FileType::SYMLINK, "/x")));
  EXPECT_EQ(Attr(link).gid, kStaff);
}

TEST_F(PermissionOpsTest, ExchangeIsTwoRenamesForPermissions) {
  int64_t tmp = RootMadeDir("tmp", 01777);
  MustCreate(As(kAliceCaller, Create(tmp, "alices")));
  MustCreate(As(kBobCaller, Create(tmp, "bobs")));
  EXPECT_EQ(CodeOf(As(kBobCaller, RenameFlags(tmp, "bobs", tmp, "alices", kRenameExchange))),
            StatusCode::kNotPermitted);
  int64_t closed = RootMadeDir("closed", 0755);
  MustCreate(As(kRootCaller, Create(closed, "roots")));
  EXPECT_EQ(CodeOf(As(kBobCaller, RenameFlags(tmp, "bobs", closed, "roots", kRenameExchange))),
            StatusCode::kPermissionDenied);
  EXPECT_TRUE(
      Propose(As(kRootCaller, RenameFlags(tmp, "bobs", tmp, "alices", kRenameExchange))).ok());
}

TEST_F(PermissionOpsTest, RenameNeedsWriteOnBothParents) {
  int64_t open_dir = RootMadeDir("open", 0777);
  int64_t closed = RootMadeDir("closed", 0755);
  MustCreate(As(kBobCaller, Create(open_dir, "f")));
  EXPECT_EQ(CodeOf(As(kBobCaller, Rename(open_dir, "f", closed, "f"))),
            StatusCode::kPermissionDenied);
  EXPECT_TRUE(Propose(As(kBobCaller, Rename(open_dir, "f", open_dir, "g"))).ok());
  // Moving a directory to another parent rewrites its "..": it must be writable too.
  int64_t other_open = RootMadeDir("open2", 0777);
  MustCreate(As(kRootCaller, Mkdir(open_dir, "roots_dir", 0755)));
  EXPECT_EQ(CodeOf(As(kBobCaller, Rename(open_dir, "roots_dir", other_open, "d"))),
            StatusCode::kPermissionDenied);
}

TEST_F(PermissionOpsTest, StickyDirectoryProtectsOtherUsersEntries) {
  int64_t tmp = RootMadeDir("tmp", 01777);
  MustCreate(As(kAliceCaller, Create(tmp, "alices")));
  MustCreate(As(kBobCaller, Create(tmp, "bobs")));
  EXPECT_EQ(CodeOf(As(kBobCaller, Unlink(tmp, "alices"))), StatusCode::kNotPermitted);
  EXPECT_EQ(CodeOf(As(kBobCaller, Rename(tmp, "alices", tmp, "mine"))), StatusCode::kNotPermitted);
  // Replacing someone else's entry by rename is removing it too.
  EXPECT_EQ(CodeOf(As(kBobCaller, Rename(tmp, "bobs", tmp, "alices"))), StatusCode::kNotPermitted);
  EXPECT_TRUE(Propose(As(kBobCaller, Unlink(tmp, "bobs"))).ok());
  EXPECT_TRUE(Propose(As(kRootCaller, Unlink(tmp, "alices"))).ok());
}

TEST_F(PermissionOpsTest, SetgidDirectoryPassesGroupAndBitDown) {
  int64_t shared = RootMadeDir("shared", 02777, 0, kStaff);
  int64_t file = MustCreate(As(kBobCaller, Create(shared, "f")));
  EXPECT_EQ(Attr(file).gid, kStaff);
  EXPECT_EQ(Attr(file).uid, kBob);
  int64_t sub = MustCreate(As(kBobCaller, Mkdir(shared, "sub", 0755)));
  EXPECT_EQ(Attr(sub).gid, kStaff);
  EXPECT_EQ(Attr(sub).mode, 02755);
  int64_t deeper = MustCreate(As(kBobCaller, Create(sub, "g")));
  EXPECT_EQ(Attr(deeper).gid, kStaff);
}

TEST_F(PermissionOpsTest, ChownRulesAndChmodByOwnerOnly) {
  int64_t open_dir = RootMadeDir("open", 0777);
  master_state::Caller alice_in_staff = User(kAlice, kAlice, {kStaff});
  int64_t file = MustCreate(As(alice_in_staff, Create(open_dir, "f")));
  EXPECT_EQ(CodeOf(As(alice_in_staff, Chown(file, kBob, std::nullopt))), StatusCode::kNotPermitted);
  EXPECT_EQ(CodeOf(As(alice_in_staff, Chown(file, std::nullopt, 4242))), StatusCode::kNotPermitted);
  EXPECT_TRUE(Propose(As(alice_in_staff, Chown(file, std::nullopt, kStaff))).ok());
  EXPECT_EQ(Attr(file).gid, kStaff);
  EXPECT_EQ(CodeOf(As(kBobCaller, Chmod(file, 0777))), StatusCode::kNotPermitted);
  EXPECT_TRUE(Propose(As(kRootCaller, Chown(file, kBob, 0))).ok());
  EXPECT_EQ(Attr(file).uid, kBob);
  // Bob owns it now but is not in group 0: his setgid bit does not stick.
  EXPECT_TRUE(Propose(As(kBobCaller, Chmod(file, 02755))).ok());
  EXPECT_EQ(Attr(file).mode, 0755);
}

TEST_F(PermissionOpsTest, SetuidDropsOnNonRootWriteAndOnChown) {
  int64_t open_dir = RootMadeDir("open", 0777);
  int64_t file = MustCreate(As(kRootCaller, Create(open_dir, "suid")));
  ASSERT_TRUE(Propose(As(kRootCaller, Chmod(file, 06777))).ok());
  ASSERT_TRUE(Propose(As(kRootCaller, CommitWrite(file, 10, Now()))).ok());
  EXPECT_EQ(Attr(file).mode, 06777);  // root's write keeps the bits
  ASSERT_TRUE(Propose(As(kBobCaller, CommitWrite(file, 20, Now()))).ok());
  EXPECT_EQ(Attr(file).mode, 0777);
  ASSERT_TRUE(Propose(As(kRootCaller, Chmod(file, 04755))).ok());
  ASSERT_TRUE(Propose(As(kRootCaller, Chown(file, kAlice, std::nullopt))).ok());
  EXPECT_EQ(Attr(file).mode, 0755);
}

TEST_F(PermissionOpsTest, UtimensRules) {
  int64_t open_dir = RootMadeDir("open", 0777);
  int64_t shared = MustCreate(As(kAliceCaller, Create(open_dir, "f")));
  ASSERT_TRUE(Propose(As(kAliceCaller, Chmod(shared, 0666))).ok());
  // Explicit times: owner only.
  EXPECT_EQ(CodeOf(As(kBobCaller, SetTimes(shared, 5, 6))), StatusCode::kNotPermitted);
  ASSERT_TRUE(Propose(As(kAliceCaller, SetTimes(shared, 5, 6))).ok());
  EXPECT_EQ(Attr(shared).atime_ns, 5);
  EXPECT_EQ(Attr(shared).mtime_ns, 6);
  // Both to now: any writer. One to now with the other omitted counts as explicit.
  ASSERT_TRUE(Propose(As(kBobCaller, Touch(shared, true, true))).ok());
  EXPECT_EQ(Attr(shared).atime_ns, Now());
  EXPECT_EQ(Attr(shared).mtime_ns, Now());
  EXPECT_EQ(CodeOf(As(kBobCaller, Touch(shared, true, false))), StatusCode::kNotPermitted);
  ASSERT_TRUE(Propose(As(kAliceCaller, Chmod(shared, 0644))).ok());
  EXPECT_EQ(CodeOf(As(kBobCaller, Touch(shared, true, true))), StatusCode::kPermissionDenied);
  // UTIME_OMIT: an unset time stays.
  int64_t mtime_before = Attr(shared).mtime_ns;
  ASSERT_TRUE(Propose(As(kAliceCaller, SetTimes(shared, 77, std::nullopt))).ok());
  EXPECT_EQ(Attr(shared).atime_ns, 77);
  EXPECT_EQ(Attr(shared).mtime_ns, mtime_before);
  EXPECT_EQ(Attr(shared).ctime_ns, Now());
}

TEST_F(PermissionOpsTest, TruncateNeedsWriteAndMovesMtimeAndCtime) {
  int64_t open_dir = RootMadeDir("open", 0777);
  int64_t file = MustCreate(As(kAliceCaller, Create(open_dir, "f")));
  ASSERT_TRUE(Propose(As(kAliceCaller, CommitWrite(file, 100, Now()))).ok());
  EXPECT_EQ(CodeOf(As(kBobCaller, Truncate(file, 0))), StatusCode::kPermissionDenied);
  ASSERT_TRUE(Propose(As(kAliceCaller, Truncate(file, 10))).ok());
  EXPECT_EQ(Attr(file).size, 10);
  EXPECT_EQ(Attr(file).mtime_ns, Now());
  EXPECT_EQ(Attr(file).ctime_ns, Now());
}

TEST_F(PermissionOpsTest, CtimeMovesOnEveryInodeChange) {
  int64_t open_dir = RootMadeDir("open", 0777);
  int64_t file = MustCreate(As(kAliceCaller, Create(open_dir, "f")));
  const int64_t mtime = Attr(file).mtime_ns;
  ASSERT_TRUE(Propose(As(kAliceCaller, Chmod(file, 0600))).ok());
  EXPECT_EQ(Attr(file).ctime_ns, Now());
  EXPECT_EQ(Attr(file).mtime_ns, mtime);  // chmod changes the inode, not the data
  ASSERT_TRUE(Propose(As(kRootCaller, Chown(file, kBob, std::nullopt))).ok());
  EXPECT_EQ(Attr(file).ctime_ns, Now());
  ASSERT_TRUE(Propose(As(kRootCaller, Rename(open_dir, "f", open_dir, "g"))).ok());
  EXPECT_EQ(Attr(file).ctime_ns, Now());
  EXPECT_EQ(Attr(file).mtime_ns, mtime);
  const int64_t write_time = Now() + 5;
  ASSERT_TRUE(Propose(As(kRootCaller, CommitWrite(file, 4, write_time))).ok());
  EXPECT_EQ(Attr(file).mtime_ns, write_time);
  EXPECT_EQ(Attr(file).ctime_ns, write_time);
}

TEST_F(PermissionOpsTest, RefusalsWithEveryCodeAreRememberedInTheClientSession) {
  int64_t tmp = RootMadeDir("tmp", 01777);
  MustCreate(As(kAliceCaller, Create(tmp, "alices")));
  // A refused request's reply is kept for retries; its code must read back, and the next
  // request of the same client must find the session readable.
  for (int attempt = 0; attempt < 2; ++attempt) {
    clock_.AdvanceMs(1);
    Result<ApplyResult> refused =
        log_->Propose(RequestOrigin{5, 1}, As(kBobCaller, Unlink(tmp, "alices")));
    EXPECT_EQ(refused.status().code(), StatusCode::kNotPermitted);
  }
  clock_.AdvanceMs(1);
  EXPECT_TRUE(log_->Propose(RequestOrigin{5, 2}, As(kBobCaller, Create(tmp, "bobs"))).ok());
}

TEST_F(PermissionOpsTest, EntryChangesMoveParentMtimeAndCtime) {
  int64_t a = RootMadeDir("a", 0777);
  int64_t b = RootMadeDir("b", 0777);
  auto expect_touched = [&](int64_t dir) {
    EXPECT_EQ(Attr(dir).mtime_ns, Now());
    EXPECT_EQ(Attr(dir).ctime_ns, Now());
  };
  MustCreate(As(kBobCaller, Create(a, "f")));
  expect_touched(a);
  MustCreate(As(kBobCaller, Mkdir(a, "d")));
  expect_touched(a);
  ASSERT_TRUE(Propose(As(kBobCaller, Rename(a, "f", b, "f"))).ok());
  expect_touched(a);
  expect_touched(b);
  ASSERT_TRUE(Propose(As(kBobCaller, Unlink(b, "f"))).ok());
  expect_touched(b);
  ASSERT_TRUE(Propose(As(kBobCaller, Rmdir(a, "d"))).ok());
  expect_touched(a);
  // A failed change leaves the parent's times alone.
  const int64_t before = Attr(b).mtime_ns;
  EXPECT_EQ(CodeOf(As(kBobCaller, Unlink(b, "missing"))), StatusCode::kNotFound);
  EXPECT_EQ(Attr(b).mtime_ns, before);
}

}  // namespace
}  // namespace tessera::master::testing
