// Extended attributes: the set_xattr / remove_xattr commands applied to the state machine, the
// read path with its access rules, and the RPC edge's validation and error codes.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "master/keys.h"
#include "master/master_service.h"
#include "master/xattr_reads.h"
#include "master/xattr_rules.h"
#include "master_test_util.h"

namespace tessera::master::testing {
namespace {

constexpr int32_t kOther = 1000;  // an unprivileged caller
const XattrCaller kRootCaller{0, 0, {}};
const XattrCaller kOtherCaller{kOther, kOther, {}};

// The commands of master_test_util.h, issued by `caller`.
MetaCommand SetXattrAs(const XattrCaller& caller, int64_t inode, const std::string& name,
                       const std::string& value, int32_t flags = 0) {
  MetaCommand command = SetXattr(inode, name, value, flags);
  command.set_xattr.__set_caller(master_state::Caller());
  command.set_xattr.caller.uid = caller.uid;
  command.set_xattr.caller.gid = caller.gid;
  command.set_xattr.caller.groups = caller.groups;
  return command;
}

MetaCommand RemoveXattrAs(const XattrCaller& caller, int64_t inode, const std::string& name) {
  MetaCommand command = RemoveXattr(inode, name);
  command.remove_xattr.__set_caller(master_state::Caller());
  command.remove_xattr.caller.uid = caller.uid;
  command.remove_xattr.caller.gid = caller.gid;
  command.remove_xattr.caller.groups = caller.groups;
  return command;
}

MetaCommand CreateOwned(int64_t parent, const std::string& name, int32_t mode, int32_t uid,
                        int32_t gid) {
  MetaCommand command = Create(parent, name);
  command.create.mode = mode;
  command.create.uid = uid;
  command.create.gid = gid;
  return command;
}

class XattrTest : public MasterStateTest {
 protected:
  Result<std::string> Get(int64_t inode, const std::string& name,
                          const XattrCaller& caller = kRootCaller) {
    return ReadXattr(*state_->CurrentStore(), inode, name, caller);
  }
  std::vector<std::string> List(int64_t inode, const XattrCaller& caller = kRootCaller) {
    Result<std::vector<std::string>> names = ListXattrNames(*state_->CurrentStore(), inode, caller);
    EXPECT_TRUE(names.ok()) << names.status().ToString();
    return names.ok() ? *names : std::vector<std::string>();
  }
  // Every xattr key in the database, whatever inode it belongs to.
  int CountXattrKeys() {
    int keys = 0;
    EXPECT_TRUE(state_->CurrentStore()
                    ->ForEach([&](std::string_view key, std::string_view) {
                      if (!key.empty() && key[0] == 'X') ++keys;
                    })
                    .ok());
    return keys;
  }
  // Writes an inode of `type` straight into the store (no command makes symlinks yet).
  int64_t PutRawInode(int64_t inode, rpc::FileType::type type) {
    InodeRecord record;
    record.inode = inode;
    record.type = type;
    record.mode = 0777;
    record.nlink = 1;
    record.goal = 1;
    record.symlink_target = "target";
    leveldb::WriteBatch batch;
    batch.Put(InodeKey(inode), EncodeInode(record));
    EXPECT_TRUE(state_->CurrentStore()->Write(&batch).ok());
    return inode;
  }
};

TEST_F(XattrTest, SetGetListRemoveRoundTripAndMoveCtime) {
  int64_t file = MustCreate(Create(kRootInode, "f"));
  int64_t ctime = Attr(file).ctime_ns;
  std::string binary("\0\x01\xff value", 9);
  ASSERT_TRUE(Propose(SetXattr(file, "user.b", binary)).ok());
  ASSERT_TRUE(Propose(SetXattr(file, "user.a", "")).ok());
  int64_t set_ctime = Attr(file).ctime_ns;
  EXPECT_GT(set_ctime, ctime);
  ASSERT_TRUE(Get(file, "user.b").ok());
  EXPECT_EQ(*Get(file, "user.b"), binary);
  EXPECT_EQ(*Get(file, "user.a"), "");  // an empty value is a value
  EXPECT_EQ(List(file), (std::vector<std::string>{"user.a", "user.b"}));

  ASSERT_TRUE(Propose(SetXattr(file, "user.b", "second")).ok());
  EXPECT_EQ(*Get(file, "user.b"), "second");
  ASSERT_TRUE(Propose(RemoveXattr(file, "user.b")).ok());
  EXPECT_GT(Attr(file).ctime_ns, set_ctime);
  EXPECT_EQ(Get(file, "user.b").status().code(), StatusCode::kNoData);
  EXPECT_EQ(List(file), std::vector<std::string>{"user.a"});
}

TEST_F(XattrTest, CreateAndReplaceFlags) {
  int64_t file = MustCreate(Create(kRootInode, "f"));
  EXPECT_EQ(CodeOf(SetXattr(file, "user.x", "1", kXattrReplace)), StatusCode::kNoData);
  EXPECT_EQ(Get(file, "user.x").status().code(), StatusCode::kNoData);
  EXPECT_EQ(CodeOf(SetXattr(file, "user.x", "1", kXattrCreate)), StatusCode::kOk);
  EXPECT_EQ(CodeOf(SetXattr(file, "user.x", "2", kXattrCreate)), StatusCode::kAlreadyExists);
  EXPECT_EQ(*Get(file, "user.x"), "1");
  EXPECT_EQ(CodeOf(SetXattr(file, "user.x", "3", kXattrReplace)), StatusCode::kOk);
  EXPECT_EQ(*Get(file, "user.x"), "3");
  // Both flags, as ext4: present is EEXIST, absent is ENODATA.
  EXPECT_EQ(CodeOf(SetXattr(file, "user.x", "4", kXattrCreate | kXattrReplace)),
            StatusCode::kAlreadyExists);
  EXPECT_EQ(CodeOf(SetXattr(file, "user.y", "4", kXattrCreate | kXattrReplace)),
            StatusCode::kNoData);
  EXPECT_EQ(CodeOf(SetXattr(file, "user.x", "5", 4)), StatusCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(RemoveXattr(file, "user.absent")), StatusCode::kNoData);
  EXPECT_EQ(CodeOf(SetXattr(999, "user.x", "1")), StatusCode::kNotFound);
}

TEST_F(XattrTest, NamesAndValuesAreValidated) {
  int64_t file = MustCreate(Create(kRootInode, "f"));
  const std::string longest = "user." + std::string(kMaxXattrNameBytes - 5, 'n');
  EXPECT_EQ(CodeOf(SetXattr(file, longest, "v")), StatusCode::kOk);
  EXPECT_EQ(*Get(file, longest), "v");
  EXPECT_EQ(CodeOf(SetXattr(file, longest + "n", "v")), StatusCode::kNameTooLong);
  EXPECT_EQ(CodeOf(SetXattr(file, "", "v")), StatusCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(SetXattr(file, "user.", "v")), StatusCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(SetXattr(file, std::string("user.a\0b", 8), "v")), StatusCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(SetXattr(file, "nospace.x", "v")), StatusCode::kNotSupported);
  EXPECT_EQ(CodeOf(SetXattr(file, "system.posix_acl_access", "v")), StatusCode::kNotSupported);
  EXPECT_EQ(CodeOf(SetXattr(file, "system.posix_acl_default", "v")), StatusCode::kNotSupported);
  EXPECT_EQ(CodeOf(SetXattr(file, "system.other", "v")), StatusCode::kNotSupported);
  EXPECT_EQ(Get(file, "system.posix_acl_access").status().code(), StatusCode::kNotSupported);
  EXPECT_EQ(CodeOf(RemoveXattr(file, "system.posix_acl_access")), StatusCode::kNotSupported);
  EXPECT_EQ(CodeOf(SetXattr(file, "user.big", std::string(kMaxXattrValueBytes, 'v'))),
            StatusCode::kOk);
  EXPECT_EQ(CodeOf(SetXattr(file, "user.bigger", std::string(kMaxXattrValueBytes + 1, 'v'))),
            StatusCode::kInvalidArgument);
}

TEST_F(XattrTest, TotalPerInodeIsLimited) {
  int64_t file = MustCreate(Create(kRootInode, "f"));
  const std::string full(kMaxXattrValueBytes, 'v');
  EXPECT_EQ(CodeOf(SetXattr(file, "user.1", full)), StatusCode::kOk);
  EXPECT_EQ(CodeOf(SetXattr(file, "user.2", full)), StatusCode::kOk);
  EXPECT_EQ(CodeOf(SetXattr(file, "user.3", full)), StatusCode::kOk);
  // Four full values and their names pass 256 KiB.
  EXPECT_EQ(CodeOf(SetXattr(file, "user.4", full)), StatusCode::kNoSpace);
  EXPECT_EQ(Get(file, "user.4").status().code(), StatusCode::kNoData);
  // Replacing a value counts the new one instead of the old, not both.
  EXPECT_EQ(CodeOf(SetXattr(file, "user.3", full)), StatusCode::kOk);
  EXPECT_EQ(CodeOf(SetXattr(file, "user.4", std::string(kMaxXattrValueBytes - 64, 'v'))),
            StatusCode::kOk);
  // Another inode has its own budget.
  int64_t other = MustCreate(Create(kRootInode, "g"));
  EXPECT_EQ(CodeOf(SetXattr(other, "user.1", full)), StatusCode::kOk);
}

TEST_F(XattrTest, TrustedAndSecurityNamespacesNeedRootToWrite) {
  int64_t file = MustCreate(CreateOwned(kRootInode, "f", 0666, kOther, kOther));
  EXPECT_EQ(CodeOf(SetXattrAs(kOtherCaller, file, "trusted.t", "1")), StatusCode::kNotPermitted);
  EXPECT_EQ(CodeOf(SetXattrAs(kOtherCaller, file, "security.s", "1")), StatusCode::kNotPermitted);
  ASSERT_EQ(CodeOf(SetXattr(file, "trusted.t", "1")), StatusCode::kOk);
  ASSERT_EQ(CodeOf(SetXattr(file, "security.s", "2")), StatusCode::kOk);
  ASSERT_EQ(CodeOf(SetXattrAs(kOtherCaller, file, "user.u", "3")), StatusCode::kOk);
  EXPECT_EQ(Get(file, "trusted.t", kOtherCaller).status().code(), StatusCode::kNoData);
  EXPECT_EQ(*Get(file, "trusted.t"), "1");
  EXPECT_EQ(*Get(file, "security.s", kOtherCaller), "2");
  EXPECT_EQ(List(file, kOtherCaller), (std::vector<std::string>{"security.s", "user.u"}));
  EXPECT_EQ(List(file), (std::vector<std::string>{"security.s", "trusted.t", "user.u"}));
  EXPECT_EQ(CodeOf(RemoveXattrAs(kOtherCaller, file, "trusted.t")), StatusCode::kNotPermitted);
  EXPECT_EQ(CodeOf(RemoveXattr(file, "trusted.t")), StatusCode::kOk);
}

TEST_F(XattrTest, UserNamespaceFollowsTheModeBits) {
  int64_t mine = MustCreate(CreateOwned(kRootInode, "mine", 0644, kOther, kOther));
  int64_t roots = MustCreate(CreateOwned(kRootInode, "roots", 0644, 0, 0));
  int64_t group_writable = MustCreate(CreateOwned(kRootInode, "g", 0660, 0, 4242));
  int64_t secret = MustCreate(CreateOwned(kRootInode, "secret", 0600, 0, 0));
  EXPECT_EQ(CodeOf(SetXattrAs(kOtherCaller, mine, "user.a", "1")), StatusCode::kOk);
  EXPECT_EQ(CodeOf(SetXattrAs(kOtherCaller, roots, "user.a", "1")), StatusCode::kPermissionDenied);
  ASSERT_EQ(CodeOf(SetXattr(roots, "user.a", "1")), StatusCode::kOk);
  EXPECT_EQ(*Get(roots, "user.a", kOtherCaller), "1");  // others may read (r--)
  EXPECT_EQ(CodeOf(RemoveXattrAs(kOtherCaller, roots, "user.a")), StatusCode::kPermissionDenied);
  // A supplementary group counts like the primary one.
  const XattrCaller member{kOther, kOther, {7, 4242}};
  EXPECT_EQ(CodeOf(SetXattrAs(member, group_writable, "user.a", "1")), StatusCode::kOk);
  EXPECT_EQ(CodeOf(SetXattrAs(kOtherCaller, group_writable, "user.b", "1")),
            StatusCode::kPermissionDenied);
  ASSERT_EQ(CodeOf(SetXattr(secret, "user.a", "1")), StatusCode::kOk);
  EXPECT_EQ(Get(secret, "user.a", kOtherCaller).status().code(), StatusCode::kPermissionDenied);
  // The owner's own bits apply to the owner, as on Linux (no w: no setxattr).
  int64_t read_only = MustCreate(CreateOwned(kRootInode, "ro", 0444, kOther, kOther));
  EXPECT_EQ(CodeOf(SetXattrAs(kOtherCaller, read_only, "user.a", "1")),
            StatusCode::kPermissionDenied);
}

TEST_F(XattrTest, StickyDirectoryAndNonRegularFiles) {
  int64_t sticky = MustCreate(Mkdir(kRootInode, "tmp", 01777));
  EXPECT_EQ(CodeOf(SetXattrAs(kOtherCaller, sticky, "user.a", "1")), StatusCode::kNotPermitted);
  EXPECT_EQ(CodeOf(SetXattr(sticky, "user.a", "1")), StatusCode::kOk);
  int64_t open_dir = MustCreate(Mkdir(kRootInode, "open", 0777));
  EXPECT_EQ(CodeOf(SetXattrAs(kOtherCaller, open_dir, "user.a", "1")), StatusCode::kOk);

  int64_t link = PutRawInode(state_->Counters().next_inode + 100, rpc::FileType::SYMLINK);
  EXPECT_EQ(CodeOf(SetXattr(link, "user.a", "1")), StatusCode::kNotPermitted);
  EXPECT_EQ(CodeOf(SetXattrAs(kOtherCaller, link, "user.a", "1")), StatusCode::kNotPermitted);
  EXPECT_EQ(Get(link, "user.a").status().code(), StatusCode::kNoData);
  EXPECT_EQ(CodeOf(RemoveXattr(link, "user.a")), StatusCode::kNotPermitted);
  // Other namespaces are allowed on a symlink (trusted.overlay.* lives there, for one).
  EXPECT_EQ(CodeOf(SetXattr(link, "trusted.a", "1")), StatusCode::kOk);
  EXPECT_EQ(List(link), std::vector<std::string>{"trusted.a"});
}

TEST_F(XattrTest, FreedInodesTakeTheirXattrsAlong) {
  int64_t file = MustCreate(Create(kRootInode, "f"));
  int64_t dir = MustCreate(Mkdir(kRootInode, "d"));
  int64_t victim = MustCreate(Create(kRootInode, "victim"));
  int64_t kept = MustCreate(Create(kRootInode, "kept"));
  for (int64_t inode : {file, dir, victim, kept}) {
    ASSERT_EQ(CodeOf(SetXattr(inode, "user.a", "1")), StatusCode::kOk);
    ASSERT_EQ(CodeOf(SetXattr(inode, "trusted.b", "2")), StatusCode::kOk);
  }
  EXPECT_EQ(CountXattrKeys(), 8);
  ASSERT_EQ(CodeOf(Unlink(kRootInode, "f")), StatusCode::kOk);
  EXPECT_EQ(CountXattrKeys(), 8);  // an unlinked file keeps its attributes while open
  ASSERT_EQ(CodeOf(FreeUnlinkedInode(file)), StatusCode::kOk);
  EXPECT_EQ(CountXattrKeys(), 6);
  ASSERT_EQ(CodeOf(Rmdir(kRootInode, "d")), StatusCode::kOk);
  EXPECT_EQ(CountXattrKeys(), 4);
  // A rename over a file unnames the file it replaces; freeing it takes its attributes.
  ASSERT_EQ(CodeOf(Rename(kRootInode, "kept", kRootInode, "victim")), StatusCode::kOk);
  ASSERT_EQ(CodeOf(FreeUnlinkedInode(victim)), StatusCode::kOk);
  EXPECT_EQ(CountXattrKeys(), 2);
  EXPECT_EQ(*Get(kept, "user.a"), "1");
  EXPECT_EQ(Get(victim, "user.a").status().code(), StatusCode::kNotFound);
}

TEST_F(XattrTest, XattrsSurviveReopen) {
  int64_t file = MustCreate(Create(kRootInode, "f"));
  ASSERT_EQ(CodeOf(SetXattr(file, "user.kept", "value")), StatusCode::kOk);
  Reopen();
  EXPECT_EQ(*Get(file, "user.kept"), "value");
}

TEST_F(XattrTest, RetriedRequestGetsItsFirstNoDataReply) {
  int64_t file = MustCreate(Create(kRootInode, "f"));
  LogCommand entry;
  entry.client_id = 77;
  entry.sequence = 1;
  entry.command = RemoveXattr(file, "user.absent");
  entry.command.remove_xattr.time_ns = 5;
  int64_t index = state_->Counters().applied_index + 1;
  EXPECT_EQ(state_->Apply(index, entry).status().code(), StatusCode::kNoData);
  // The session record holding NO_DATA must decode again (not be taken for corruption).
  ASSERT_EQ(CodeOf(SetXattr(file, "user.absent", "now here")), StatusCode::kOk);
  index = state_->Counters().applied_index + 1;
  EXPECT_EQ(state_->Apply(index, entry).status().code(), StatusCode::kNoData);
  EXPECT_EQ(*Get(file, "user.absent"), "now here");
}

class XattrServiceTest : public MasterStateTest {
 protected:
  void SetUp() override {
    MasterStateTest::SetUp();
    handler_ = std::make_unique<MasterServiceHandler>(MasterServiceOptions(), log_.get(),
                                                      state_.get(), &registry_,
                                                      /*group=*/nullptr, &clock_);
  }
  rpc::RequestContext ctx_;
  ChunkServerRegistry registry_{&clock_, 5000};
  std::unique_ptr<MasterServiceHandler> handler_;
};

TEST_F(XattrServiceTest, ValidatesArgumentsAndMapsErrors) {
  rpc::Attr attr;
  handler_->create(attr, ctx_, kRootInode, "f", 0644);
  const int64_t file = attr.inode;
  auto& h = *handler_;
  std::string value;
  std::vector<std::string> names;
  EXPECT_EQ(ErrorOf([&] { h.setXattr(ctx_, 0, "user.a", "v", 0); }),
            rpc::ErrorCode::INVALID_ARGUMENT);
  EXPECT_EQ(ErrorOf([&] { h.setXattr(ctx_, file, "user.a", "v", 8); }),
            rpc::ErrorCode::INVALID_ARGUMENT);
  EXPECT_EQ(ErrorOf([&] { h.setXattr(ctx_, file, "user." + std::string(251, 'n'), "v", 0); }),
            rpc::ErrorCode::NAME_TOO_LONG);
  EXPECT_EQ(ErrorOf([&] { h.setXattr(ctx_, file, "user.a", std::string(65537, 'v'), 0); }),
            rpc::ErrorCode::INVALID_ARGUMENT);
  EXPECT_EQ(ErrorOf([&] { h.getXattr(value, ctx_, file, "system.posix_acl_access"); }),
            rpc::ErrorCode::NOT_SUPPORTED);
  EXPECT_EQ(ErrorOf([&] { h.getXattr(value, ctx_, file, "user.a"); }), rpc::ErrorCode::NO_DATA);
  EXPECT_EQ(ErrorOf([&] { h.listXattrs(names, ctx_, 999); }), rpc::ErrorCode::NOT_FOUND);

  EXPECT_EQ(ErrorOf([&] { h.setXattr(ctx_, file, "user.a", "v", kXattrCreate); }),
            rpc::ErrorCode::OK);
  EXPECT_EQ(ErrorOf([&] { h.setXattr(ctx_, file, "user.a", "w", kXattrCreate); }),
            rpc::ErrorCode::ALREADY_EXISTS);
  EXPECT_EQ(ErrorOf([&] { h.getXattr(value, ctx_, file, "user.a"); }), rpc::ErrorCode::OK);
  EXPECT_EQ(value, "v");
  EXPECT_EQ(ErrorOf([&] { h.listXattrs(names, ctx_, file); }), rpc::ErrorCode::OK);
  EXPECT_EQ(names, std::vector<std::string>{"user.a"});

  rpc::RequestContext other = ctx_;
  other.uid = kOther;
  other.gid = kOther;
  EXPECT_EQ(ErrorOf([&] { h.setXattr(other, file, "trusted.a", "v", 0); }),
            rpc::ErrorCode::NOT_PERMITTED);
  EXPECT_EQ(ErrorOf([&] { h.removeXattr(other, file, "user.a"); }),
            rpc::ErrorCode::PERMISSION_DENIED);
  EXPECT_EQ(ErrorOf([&] { h.removeXattr(ctx_, file, "user.a"); }), rpc::ErrorCode::OK);
  EXPECT_EQ(ErrorOf([&] { h.removeXattr(ctx_, file, "user.a"); }), rpc::ErrorCode::NO_DATA);
}

}  // namespace
}  // namespace tessera::master::testing
