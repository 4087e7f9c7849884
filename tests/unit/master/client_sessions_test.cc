// A request retried after a failover must be answered, not applied twice.
#include "master/client_sessions.h"

#include <gtest/gtest.h>

#include "master_test_util.h"

namespace tessera::master::testing {
namespace {

class ClientSessionsTest : public MasterStateTest {
 protected:
  Result<ApplyResult> ProposeAs(int64_t client_id, int64_t sequence, MetaCommand command) {
    clock_.AdvanceMs(1);
    return log_->Propose(RequestOrigin{client_id, sequence}, std::move(command));
  }
};

TEST_F(ClientSessionsTest, RetriedCreateGetsTheFirstReplyAndCreatesOnce) {
  Result<ApplyResult> first = ProposeAs(7, 1, Create(kRootInode, "f"));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  const int64_t inodes = state_->Counters().inode_count;
  // Not idempotent on its own: applied again it would fail with EEXIST.
  Result<ApplyResult> retry = ProposeAs(7, 1, Create(kRootInode, "f"));
  ASSERT_TRUE(retry.ok()) << retry.status().ToString();
  ASSERT_TRUE(retry->attr.has_value());
  EXPECT_EQ(retry->attr->inode, first->attr->inode);
  EXPECT_EQ(state_->Counters().inode_count, inodes);
  // The retry still consumed its log index.
  EXPECT_EQ(state_->Counters().applied_index, log_->AppliedIndex());
}

TEST_F(ClientSessionsTest, RetriedUnlinkAndRenameAreNotAppliedTwice) {
  MustCreate(Create(kRootInode, "a"));
  MustCreate(Create(kRootInode, "b"));
  ASSERT_TRUE(ProposeAs(9, 1, Rename(kRootInode, "a", kRootInode, "c")).ok());
  ASSERT_TRUE(ProposeAs(9, 1, Rename(kRootInode, "a", kRootInode, "c")).ok());
  ASSERT_TRUE(ProposeAs(9, 2, Unlink(kRootInode, "b")).ok());
  MustCreate(Create(kRootInode, "b"));  // someone else makes a new "b"
  ASSERT_TRUE(ProposeAs(9, 2, Unlink(kRootInode, "b")).ok());
  EXPECT_TRUE(state_->Lookup(kRootInode, "b").ok()) << "the retry removed the new file";
  EXPECT_TRUE(state_->Lookup(kRootInode, "c").ok());
}

TEST_F(ClientSessionsTest, RefusalsAreRememberedToo) {
  MustCreate(Create(kRootInode, "x"));
  EXPECT_EQ(ProposeAs(3, 1, Create(kRootInode, "x")).status().code(), StatusCode::kAlreadyExists);
  ASSERT_TRUE(Propose(Unlink(kRootInode, "x")).ok());
  // The name is free now, but the retry of the refused request is answered as before.
  EXPECT_EQ(ProposeAs(3, 1, Create(kRootInode, "x")).status().code(), StatusCode::kAlreadyExists);
  EXPECT_FALSE(state_->Lookup(kRootInode, "x").ok());
}

TEST_F(ClientSessionsTest, SupersededRequestIsRefusedAndSessionsAreIndependent) {
  ASSERT_TRUE(ProposeAs(5, 1, Mkdir(kRootInode, "d1")).ok());
  ASSERT_TRUE(ProposeAs(5, 2, Mkdir(kRootInode, "d2")).ok());
  EXPECT_EQ(ProposeAs(5, 1, Mkdir(kRootInode, "d3")).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_FALSE(state_->Lookup(kRootInode, "d3").ok());
  ASSERT_TRUE(ProposeAs(6, 1, Mkdir(kRootInode, "d3")).ok());
}

TEST_F(ClientSessionsTest, SessionsSurviveReopen) {
  Result<ApplyResult> first = ProposeAs(11, 4, Create(kRootInode, "kept"));
  ASSERT_TRUE(first.ok());
  Reopen();
  Result<ApplyResult> retry = ProposeAs(11, 4, Create(kRootInode, "kept"));
  ASSERT_TRUE(retry.ok()) << retry.status().ToString();
  EXPECT_EQ(retry->attr->inode, first->attr->inode);
}

}  // namespace
}  // namespace tessera::master::testing
