// File locks: the pure rules (lock_table.h), the set_lock / expire_mount commands applied to the
// state machine (records, the mount index, snapshots of the database), the leader's liveness
// table and expiry pass, and the RPC edge's validation and error codes.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "master/lock_store.h"
#include "master/lock_table.h"
#include "master/master_options.h"
#include "master/master_service.h"
#include "master/mount_expiry.h"
#include "master/mount_liveness.h"
#include "master_test_util.h"

namespace tessera::master::testing {
namespace {

constexpr int64_t kMountA = 11;
constexpr int64_t kMountB = 22;

HeldLock Lock(int64_t mount_id, int64_t owner, int32_t type, int64_t start, int64_t end,
              int32_t kind = rpc::LockKind::POSIX) {
  HeldLock lock;
  lock.mount_id = mount_id;
  lock.owner = owner;
  lock.kind = kind;
  lock.type = type;
  lock.start = start;
  lock.end = end;
  return lock;
}

constexpr int32_t kRead = rpc::LockType::READ;
constexpr int32_t kWrite = rpc::LockType::WRITE;
constexpr int32_t kUnlock = rpc::LockType::UNLOCK;
constexpr int32_t kFlock = rpc::LockKind::FLOCK;

// ---- the rules ----

TEST(LockTableTest, ConflictsNeedOverlapAnotherOwnerAndAWrite) {
  const std::vector<HeldLock> held = {Lock(kMountA, 1, kWrite, 0, 99),
                                      Lock(kMountA, 2, kRead, 200, 299)};
  EXPECT_TRUE(FindConflict(held, Lock(kMountB, 1, kRead, 99, 99)));
  EXPECT_FALSE(FindConflict(held, Lock(kMountB, 1, kRead, 100, 199)));
  EXPECT_FALSE(FindConflict(held, Lock(kMountB, 1, kRead, 250, kLockToEof)));
  EXPECT_TRUE(FindConflict(held, Lock(kMountB, 1, kWrite, 250, kLockToEof)));
  // The same owner never conflicts with itself; another owner of the same mount does.
  EXPECT_FALSE(FindConflict({held[0]}, Lock(kMountA, 1, kWrite, 0, kLockToEof)));
  std::optional<HeldLock> conflict = FindConflict(held, Lock(kMountA, 2, kWrite, 50, 60));
  ASSERT_TRUE(conflict);
  EXPECT_EQ(*conflict, held[0]);
  // The same owner number on another mount is another owner.
  EXPECT_TRUE(FindConflict(held, Lock(kMountB, 2, kWrite, 250, 250)));
}

TEST(LockTableTest, FlockAndPosixLocksAreJudgedApart) {
  const std::vector<HeldLock> held = {Lock(kMountA, 1, kWrite, 0, kLockToEof, kFlock)};
  EXPECT_FALSE(FindConflict(held, Lock(kMountB, 1, kWrite, 0, kLockToEof)));
  EXPECT_TRUE(FindConflict(held, Lock(kMountB, 1, kRead, 0, kLockToEof, kFlock)));
  const std::vector<HeldLock> shared = {Lock(kMountA, 1, kRead, 0, kLockToEof, kFlock)};
  EXPECT_FALSE(FindConflict(shared, Lock(kMountB, 1, kRead, 0, kLockToEof, kFlock)));
  EXPECT_TRUE(FindConflict(shared, Lock(kMountB, 1, kWrite, 0, kLockToEof, kFlock)));
}

TEST(LockTableTest, UnlockInTheMiddleSplitsALock) {
  const std::vector<HeldLock> after =
      ApplyToOwnLocks({Lock(kMountA, 1, kWrite, 0, 99)}, Lock(kMountA, 1, kUnlock, 40, 59));
  EXPECT_EQ(after, (std::vector<HeldLock>{Lock(kMountA, 1, kWrite, 0, 39),
                                          Lock(kMountA, 1, kWrite, 60, 99)}));
}

TEST(LockTableTest, AdjacentAndOverlappingLocksOfOneTypeMerge) {
  std::vector<HeldLock> own = ApplyToOwnLocks({}, Lock(kMountA, 1, kRead, 0, 9));
  own = ApplyToOwnLocks(own, Lock(kMountA, 1, kRead, 10, 19));
  own = ApplyToOwnLocks(own, Lock(kMountA, 1, kRead, 15, kLockToEof));
  EXPECT_EQ(own, (std::vector<HeldLock>{Lock(kMountA, 1, kRead, 0, kLockToEof)}));
}

TEST(LockTableTest, UpgradeAndDowngradeReplaceTheRangeOnly) {
  std::vector<HeldLock> own = {Lock(kMountA, 1, kRead, 0, 99)};
  own = ApplyToOwnLocks(own, Lock(kMountA, 1, kWrite, 20, 29));
  EXPECT_EQ(own, (std::vector<HeldLock>{Lock(kMountA, 1, kRead, 0, 19),
                                        Lock(kMountA, 1, kWrite, 20, 29),
                                        Lock(kMountA, 1, kRead, 30, 99)}));
  own = ApplyToOwnLocks(own, Lock(kMountA, 1, kRead, 20, 29));
  EXPECT_EQ(own, (std::vector<HeldLock>{Lock(kMountA, 1, kRead, 0, 99)}));
  own = ApplyToOwnLocks(own, Lock(kMountA, 1, kUnlock, 0, kLockToEof));
  EXPECT_TRUE(own.empty());
}

TEST(LockTableTest, ToEndOfFileLocksDoNotOverflow) {
  std::vector<HeldLock> own = {Lock(kMountA, 1, kWrite, 100, kLockToEof)};
  own = ApplyToOwnLocks(own, Lock(kMountA, 1, kWrite, kLockToEof, kLockToEof));
  EXPECT_EQ(own, (std::vector<HeldLock>{Lock(kMountA, 1, kWrite, 100, kLockToEof)}));
  own = ApplyToOwnLocks(own, Lock(kMountA, 1, kUnlock, 200, 299));
  EXPECT_EQ(own, (std::vector<HeldLock>{Lock(kMountA, 1, kWrite, 100, 199),
                                        Lock(kMountA, 1, kWrite, 300, kLockToEof)}));
}

TEST(LockTableTest, ValidationNamesTheBadField) {
  EXPECT_TRUE(ValidateLockRequest(Lock(kMountA, 1, kRead, 0, 0)).ok());
  EXPECT_FALSE(ValidateLockRequest(Lock(0, 1, kRead, 0, 0)).ok());
  EXPECT_FALSE(ValidateLockRequest(Lock(kMountA, 1, 7, 0, 0)).ok());
  EXPECT_FALSE(ValidateLockRequest(Lock(kMountA, 1, kRead, 0, 0, 9)).ok());
  EXPECT_FALSE(ValidateLockRequest(Lock(kMountA, 1, kRead, -1, 0)).ok());
  EXPECT_FALSE(ValidateLockRequest(Lock(kMountA, 1, kRead, 10, 9)).ok());
  EXPECT_FALSE(ValidateLockRequest(Lock(kMountA, 1, kRead, 0, 9, kFlock)).ok());
  HeldLock bad_pid = Lock(kMountA, 1, kRead, 0, 0);
  bad_pid.pid = -1;
  EXPECT_FALSE(ValidateLockRequest(bad_pid).ok());
}

// ---- the commands ----

MetaCommand SetLock(int64_t inode, const HeldLock& lock) {
  MetaCommand command;
  command.__set_set_lock(SetLockCommandOf(inode, lock));
  return command;
}

MetaCommand ExpireMount(int64_t mount_id) {
  master_state::ExpireMountCommand expire;
  expire.mount_id = mount_id;
  MetaCommand command;
  command.__set_expire_mount(expire);
  return command;
}

class LockCommandTest : public MasterStateTest {
 protected:
  void SetUp() override {
    MasterStateTest::SetUp();
    file_ = MustCreate(Create(kRootInode, "f"));
  }
  std::vector<HeldLock> Locks(int64_t inode) {
    Result<std::vector<HeldLock>> locks = ListLocks(*state_->CurrentStore(), inode);
    EXPECT_TRUE(locks.ok()) << locks.status().ToString();
    return locks.ok() ? *locks : std::vector<HeldLock>();
  }
  std::vector<int64_t> Holders() {
    Result<std::vector<int64_t>> holders = ListMountsHoldingLocks(*state_->CurrentStore());
    EXPECT_TRUE(holders.ok());
    return holders.ok() ? *holders : std::vector<int64_t>();
  }
  int64_t file_ = 0;
};

TEST_F(LockCommandTest, ConflictIsWouldBlockAndChangesNothing) {
  ASSERT_TRUE(Propose(SetLock(file_, Lock(kMountA, 1, kWrite, 0, 99))).ok());
  EXPECT_EQ(CodeOf(SetLock(file_, Lock(kMountB, 1, kRead, 50, 50))), StatusCode::kWouldBlock);
  EXPECT_EQ(Locks(file_), (std::vector<HeldLock>{Lock(kMountA, 1, kWrite, 0, 99)}));
  // Granting answers the file's attributes, which the client uses to drop stale caches.
  Result<ApplyResult> granted = Propose(SetLock(file_, Lock(kMountB, 1, kRead, 100, 199)));
  ASSERT_TRUE(granted.ok());
  ASSERT_TRUE(granted->attr);
  EXPECT_EQ(granted->attr->inode, file_);
}

TEST_F(LockCommandTest, RecordsSplitAndTheMountIndexFollows) {
  ASSERT_TRUE(Propose(SetLock(file_, Lock(kMountA, 1, kWrite, 0, 99))).ok());
  ASSERT_TRUE(Propose(SetLock(file_, Lock(kMountA, 1, kUnlock, 40, 59))).ok());
  EXPECT_EQ(Locks(file_), (std::vector<HeldLock>{Lock(kMountA, 1, kWrite, 0, 39),
                                                 Lock(kMountA, 1, kWrite, 60, 99)}));
  EXPECT_EQ(Holders(), std::vector<int64_t>{kMountA});
  ASSERT_TRUE(Propose(SetLock(file_, Lock(kMountA, 1, kUnlock, 0, kLockToEof))).ok());
  EXPECT_TRUE(Locks(file_).empty());
  EXPECT_TRUE(Holders().empty());
}

TEST_F(LockCommandTest, OnlyRegularFilesAreLockedButUnlockNeedsNoInode) {
  const int64_t dir = MustCreate(Mkdir(kRootInode, "d"));
  EXPECT_EQ(CodeOf(SetLock(dir, Lock(kMountA, 1, kRead, 0, 0))), StatusCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(SetLock(999, Lock(kMountA, 1, kRead, 0, 0))), StatusCode::kNotFound);
  EXPECT_TRUE(Propose(SetLock(999, Lock(kMountA, 1, kUnlock, 0, kLockToEof))).ok());
  EXPECT_EQ(CodeOf(SetLock(file_, Lock(kMountA, 1, kRead, 0, 9, kFlock))),
            StatusCode::kInvalidArgument);
}

TEST_F(LockCommandTest, ExpireReleasesEveryLockOfTheMountOnlyAndBarsNewOnes) {
  const int64_t other = MustCreate(Create(kRootInode, "g"));
  ASSERT_TRUE(Propose(SetLock(file_, Lock(kMountA, 1, kWrite, 0, 9))).ok());
  ASSERT_TRUE(Propose(SetLock(file_, Lock(kMountA, 2, kWrite, 0, kLockToEof, kFlock))).ok());
  ASSERT_TRUE(Propose(SetLock(other, Lock(kMountA, 1, kRead, 0, kLockToEof))).ok());
  ASSERT_TRUE(Propose(SetLock(file_, Lock(kMountB, 1, kWrite, 10, 19))).ok());
  EXPECT_EQ(Holders(), (std::vector<int64_t>{kMountA, kMountB}));

  ASSERT_TRUE(Propose(ExpireMount(kMountA)).ok());
  EXPECT_EQ(Locks(file_), (std::vector<HeldLock>{Lock(kMountB, 1, kWrite, 10, 19)}));
  EXPECT_TRUE(Locks(other).empty());
  EXPECT_EQ(Holders(), std::vector<int64_t>{kMountB});
  EXPECT_EQ(CodeOf(SetLock(file_, Lock(kMountA, 1, kWrite, 0, 9))), StatusCode::kMountExpired);
  // Unlocking is still answered (a close after the expiry).
  EXPECT_TRUE(Propose(SetLock(file_, Lock(kMountA, 1, kUnlock, 0, kLockToEof))).ok());
  EXPECT_TRUE(Propose(SetLock(file_, Lock(kMountB, 2, kWrite, 0, 9))).ok());
}

TEST_F(LockCommandTest, LocksSurviveAReopenOfTheDatabase) {
  ASSERT_TRUE(Propose(SetLock(file_, Lock(kMountA, 1, kRead, 5, kLockToEof))).ok());
  Reopen();
  EXPECT_EQ(Locks(file_), (std::vector<HeldLock>{Lock(kMountA, 1, kRead, 5, kLockToEof)}));
  EXPECT_EQ(CodeOf(SetLock(file_, Lock(kMountB, 1, kWrite, 0, 5))), StatusCode::kWouldBlock);
}

// ---- liveness and expiry ----

TEST(MountLivenessTest, SilentHoldersAreReportedAfterTheTimeout) {
  ManualClock clock;
  MountLiveness liveness(&clock, 2000);
  EXPECT_TRUE(liveness.SilentMounts(1, {kMountA, kMountB}).empty());  // first seen now
  clock.AdvanceMs(1500);
  liveness.Touch(kMountA);
  clock.AdvanceMs(1000);
  EXPECT_EQ(liveness.SilentMounts(1, {kMountA, kMountB}), std::vector<int64_t>{kMountB});
  // A mount that holds nothing is never reported.
  clock.AdvanceMs(5000);
  EXPECT_EQ(liveness.SilentMounts(1, {kMountB}), std::vector<int64_t>{kMountB});
}

TEST(MountLivenessTest, ANewTermGivesEveryMountAFullTimeout) {
  ManualClock clock;
  MountLiveness liveness(&clock, 2000);
  EXPECT_TRUE(liveness.SilentMounts(1, {kMountA}).empty());
  clock.AdvanceMs(1900);
  // Leadership moved away and back: the old heartbeat time must not count.
  EXPECT_TRUE(liveness.SilentMounts(3, {kMountA}).empty());
  clock.AdvanceMs(1900);
  EXPECT_TRUE(liveness.SilentMounts(3, {kMountA}).empty());
  clock.AdvanceMs(200);
  EXPECT_EQ(liveness.SilentMounts(3, {kMountA}), std::vector<int64_t>{kMountA});
}

TEST_F(LockCommandTest, ExpiryPassExpiresSilentMountsThroughTheLog) {
  ASSERT_TRUE(Propose(SetLock(file_, Lock(kMountA, 1, kWrite, 0, 9))).ok());
  ASSERT_TRUE(Propose(SetLock(file_, Lock(kMountB, 1, kWrite, 10, 19))).ok());
  MountLiveness liveness(&clock_, 2000);
  // A long interval: the test drives the passes itself.
  MountExpiry expiry(log_.get(), state_.get(), &liveness, /*check_interval_ms=*/3'600'000);
  expiry.CheckOnce();
  clock_.AdvanceMs(1500);
  liveness.Touch(kMountB);
  clock_.AdvanceMs(1000);
  expiry.CheckOnce();
  EXPECT_EQ(Locks(file_), (std::vector<HeldLock>{Lock(kMountB, 1, kWrite, 10, 19)}));
  EXPECT_EQ(expiry.counters().expired, 1u);
}

TEST(MountTimeoutFlagTest, DefaultsToTenSecondsAndRejectsLessThanTwoHeartbeats) {
  auto parse = [](std::vector<const char*> args) {
    args.insert(args.begin(), {"tessera-master", "--listen", "127.0.0.1:9400", "--data-dir", "d"});
    return ParseMasterOptions(static_cast<int>(args.size()), args.data());
  };
  Result<MasterOptions> defaults = parse({});
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->mount_timeout_ms, 10000);
  Result<MasterOptions> set = parse({"--mount-timeout-ms", "2000"});
  ASSERT_TRUE(set.ok());
  EXPECT_EQ(set->mount_timeout_ms, 2000);
  EXPECT_EQ(parse({"--mount-timeout-ms", "1999"}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(parse({"--mount-timeout-ms", "x"}).status().code(), StatusCode::kInvalidArgument);
}

// ---- the RPC edge ----

class LockServiceTest : public LockCommandTest {
 protected:
  void SetUp() override {
    LockCommandTest::SetUp();
    handler_ = std::make_unique<MasterServiceHandler>(MasterServiceOptions(), log_.get(),
                                                      state_.get(), &registry_,
                                                      /*group=*/nullptr, &clock_);
  }
  rpc::FileLock Wire(int64_t mount_id, rpc::LockType::type type, int64_t start, int64_t length) {
    rpc::FileLock lock;
    lock.inode = file_;
    lock.mount_id = mount_id;
    lock.owner = 7;
    lock.kind = rpc::LockKind::POSIX;
    lock.type = type;
    lock.start = start;
    lock.length = length;
    lock.pid = 42;
    return lock;
  }
  // A write lock asked by mount A past its own lock, where B reads from 100 on.
  rpc::FileLock same_mount_write_past_a() { return Wire(kMountA, rpc::LockType::WRITE, 1000, 0); }
  rpc::RequestContext ctx_;
  ChunkServerRegistry registry_{&clock_, 5000};
  std::unique_ptr<MasterServiceHandler> handler_;
};

TEST_F(LockServiceTest, ValidatesArgumentsAndMapsErrors) {
  auto& h = *handler_;
  rpc::SetLockReply reply;
  rpc::FileLock found;
  auto set = [&](rpc::FileLock lock) { return ErrorOf([&] { h.setLock(reply, ctx_, lock); }); };
  rpc::FileLock lock = Wire(kMountA, rpc::LockType::WRITE, 0, 100);
  EXPECT_EQ(set(lock), rpc::ErrorCode::OK);
  EXPECT_EQ(reply.attr.inode, file_);
  EXPECT_EQ(set(Wire(kMountB, rpc::LockType::READ, 99, 1)), rpc::ErrorCode::WOULD_BLOCK);
  EXPECT_EQ(set(Wire(kMountB, rpc::LockType::READ, 100, 0)), rpc::ErrorCode::OK);
  EXPECT_EQ(set(Wire(0, rpc::LockType::READ, 0, 0)), rpc::ErrorCode::INVALID_ARGUMENT);
  EXPECT_EQ(set(Wire(kMountB, rpc::LockType::READ, -1, 0)), rpc::ErrorCode::INVALID_ARGUMENT);
  EXPECT_EQ(set(Wire(kMountB, rpc::LockType::READ, 0, -5)), rpc::ErrorCode::INVALID_ARGUMENT);
  EXPECT_EQ(set(Wire(kMountB, rpc::LockType::READ, kLockToEof, 2)),
            rpc::ErrorCode::INVALID_ARGUMENT);
  EXPECT_EQ(set(Wire(kMountB, static_cast<rpc::LockType::type>(9), 0, 0)),
            rpc::ErrorCode::INVALID_ARGUMENT);
  rpc::FileLock bad_inode = Wire(kMountB, rpc::LockType::READ, 0, 0);
  bad_inode.inode = -3;
  EXPECT_EQ(set(bad_inode), rpc::ErrorCode::INVALID_ARGUMENT);

  // F_GETLK: the conflicting lock with its range; the pid only for the same mount.
  h.getLock(found, ctx_, Wire(kMountB, rpc::LockType::READ, 10, 10));
  EXPECT_EQ(found.type, rpc::LockType::WRITE);
  EXPECT_EQ(found.start, 0);
  EXPECT_EQ(found.length, 100);
  EXPECT_EQ(found.mount_id, kMountA);
  EXPECT_EQ(found.pid, 0);
  rpc::FileLock same_mount = Wire(kMountA, rpc::LockType::READ, 10, 10);
  same_mount.owner = 8;
  h.getLock(found, ctx_, same_mount);
  EXPECT_EQ(found.pid, 42);
  // The asker's own locks never conflict: B's read lock from 100 on does not count for B.
  h.getLock(found, ctx_, Wire(kMountB, rpc::LockType::WRITE, 1000, 0));
  EXPECT_EQ(found.type, rpc::LockType::UNLOCK);
  h.getLock(found, ctx_, same_mount_write_past_a());
  EXPECT_EQ(found.type, rpc::LockType::READ);
  EXPECT_EQ(found.mount_id, kMountB);
  EXPECT_EQ(found.start, 100);
  EXPECT_EQ(found.length, 0);
  EXPECT_EQ(ErrorOf([&] { h.getLock(found, ctx_, Wire(kMountB, rpc::LockType::UNLOCK, 0, 0)); }),
            rpc::ErrorCode::INVALID_ARGUMENT);

  rpc::MountHeartbeatReply beat;
  h.mountHeartbeat(beat, ctx_, kMountA);
  EXPECT_FALSE(beat.expired);
  EXPECT_EQ(ErrorOf([&] { h.mountHeartbeat(beat, ctx_, 0); }), rpc::ErrorCode::INVALID_ARGUMENT);
  ASSERT_TRUE(Propose(ExpireMount(kMountA)).ok());
  h.mountHeartbeat(beat, ctx_, kMountA);
  EXPECT_TRUE(beat.expired);
  EXPECT_EQ(set(lock), rpc::ErrorCode::MOUNT_EXPIRED);
}

}  // namespace
}  // namespace tessera::master::testing
