// The namespace commands behind the mount's caching and POSIX corner cases (issue 5): the atime
// update of reads (touch_atime) and ftruncate through a descriptor opened for writing.
#include <gtest/gtest.h>

#include "master_test_util.h"

namespace tessera::master::testing {
namespace {

master_state::Caller User(int32_t uid, int32_t gid) {
  master_state::Caller caller;
  caller.uid = uid;
  caller.gid = gid;
  return caller;
}
const master_state::Caller kRoot = User(0, 0);
const master_state::Caller kNobody = User(65534, 65534);

MetaCommand TouchAtime(int64_t inode, const master_state::Caller& caller) {
  MetaCommand command = testing::TouchAtime(inode);
  command.touch_atime.__set_caller(caller);
  return command;
}

MetaCommand ChmodAs(int64_t inode, int32_t mode, const master_state::Caller& caller) {
  master_state::SetAttrCommand set_attr;
  set_attr.inode = inode;
  set_attr.__set_mode(mode);
  set_attr.__set_caller(caller);
  MetaCommand command;
  command.__set_set_attr(set_attr);
  return command;
}

MetaCommand TruncateAs(int64_t inode, int64_t size, const master_state::Caller& caller,
                       bool through_writable_handle) {
  MetaCommand command = Truncate(inode, size);
  command.set_attr.__set_caller(caller);
  command.set_attr.through_writable_handle = through_writable_handle;
  return command;
}

class CacheOpsTest : public MasterStateTest {
 protected:
  // A file owned by nobody with `mode`, in a directory everyone may use.
  int64_t NobodysFile(int32_t mode) {
    const int64_t file = MustCreate(Create(kRootInode, "f"));
    master_state::SetAttrCommand chown;
    chown.inode = file;
    chown.__set_uid(kNobody.uid);
    chown.__set_gid(kNobody.gid);
    chown.__set_mode(mode);
    MetaCommand command;
    command.__set_set_attr(chown);
    EXPECT_TRUE(Propose(command).ok());
    return file;
  }
};

TEST_F(CacheOpsTest, TouchAtimeMovesOnlyAtimeToTheProposersTime) {
  const int64_t file = NobodysFile(0644);
  const rpc::Attr before = Attr(file);
  Result<ApplyResult> touched = Propose(TouchAtime(file, kNobody));
  ASSERT_TRUE(touched.ok()) << touched.status().ToString();
  const rpc::Attr after = Attr(file);
  EXPECT_EQ(after.atime_ns, clock_.NowUnixNanos());
  EXPECT_GT(after.atime_ns, before.atime_ns);
  // ctime stays: the mount's page cache is keyed on (size, mtime, ctime).
  EXPECT_EQ(after.ctime_ns, before.ctime_ns);
  EXPECT_EQ(after.mtime_ns, before.mtime_ns);
  ASSERT_TRUE(touched->attr.has_value());
  EXPECT_EQ(touched->attr->atime_ns, after.atime_ns);
}

TEST_F(CacheOpsTest, TouchAtimeNeverMovesBackwards) {
  const int64_t file = NobodysFile(0644);
  master_state::SetAttrCommand future;
  future.inode = file;
  const int64_t later = clock_.NowUnixNanos() + 1'000'000'000'000;
  future.__set_atime_ns(later);
  MetaCommand command;
  command.__set_set_attr(future);
  ASSERT_TRUE(Propose(command).ok());
  ASSERT_TRUE(Propose(TouchAtime(file, kNobody)).ok());
  EXPECT_EQ(Attr(file).atime_ns, later);
}

TEST_F(CacheOpsTest, TouchAtimeNeedsReadPermissionAndARegularFile) {
  const int64_t file = NobodysFile(0200);
  EXPECT_EQ(CodeOf(TouchAtime(file, kNobody)), StatusCode::kPermissionDenied);
  EXPECT_EQ(CodeOf(TouchAtime(file, kRoot)), StatusCode::kOk);
  const int64_t dir = MustCreate(Mkdir(kRootInode, "d"));
  EXPECT_EQ(CodeOf(TouchAtime(dir, kRoot)), StatusCode::kInvalidArgument);
}

TEST_F(CacheOpsTest, TruncateThroughAWritableHandleSkipsTheModeCheck) {
  // open(O_CREAT | O_RDWR, 0444) by nobody, then ftruncate: POSIX judged the open.
  const int64_t file = NobodysFile(0444);
  EXPECT_EQ(CodeOf(TruncateAs(file, 10, kNobody, false)), StatusCode::kPermissionDenied);
  EXPECT_EQ(Attr(file).size, 0);
  ASSERT_EQ(CodeOf(TruncateAs(file, 10, kNobody, true)), StatusCode::kOk);
  EXPECT_EQ(Attr(file).size, 10);
  EXPECT_EQ(Attr(file).ctime_ns, clock_.NowUnixNanos());
  // Only the truncate is excused: a chmod through the same request path still needs the owner.
  EXPECT_EQ(CodeOf(ChmodAs(file, 0666, User(1000, 1000))), StatusCode::kNotPermitted);
}

}  // namespace
}  // namespace tessera::master::testing
