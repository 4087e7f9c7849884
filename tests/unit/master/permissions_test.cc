// The permission rules of master/permissions.h, as Linux applies them.
#include "master/permissions.h"

#include <gtest/gtest.h>

namespace tessera::master {
namespace {

constexpr int32_t kAlice = 1000;
constexpr int32_t kBob = 1001;
constexpr int32_t kStaff = 50;
constexpr int32_t kOther = 60;

InodeRecord Inode(int32_t type, int32_t mode, int32_t uid, int32_t gid) {
  InodeRecord record;
  record.inode = 7;
  record.type = type;
  record.mode = mode;
  record.uid = uid;
  record.gid = gid;
  return record;
}
InodeRecord File(int32_t mode, int32_t uid = kAlice, int32_t gid = kStaff) {
  return Inode(rpc::FileType::REGULAR, mode, uid, gid);
}
InodeRecord Dir(int32_t mode, int32_t uid = kAlice, int32_t gid = kStaff) {
  return Inode(rpc::FileType::DIRECTORY, mode, uid, gid);
}

const Credentials kRoot{0, 0, {}};
const Credentials kOwner{kAlice, kAlice, {}};
const Credentials kGroupMember{kBob, kBob, {kStaff}};
const Credentials kStranger{kBob, kBob, {}};

StatusCode CodeOf(const Status& status) { return status.code(); }

TEST(PermissionsTest, OwnerGroupAndOthersEachGetTheirOwnClass) {
  InodeRecord file = File(0640);
  EXPECT_TRUE(CheckAccess(kOwner, file, kMayRead | kMayWrite).ok());
  EXPECT_TRUE(CheckAccess(kGroupMember, file, kMayRead).ok());
  EXPECT_EQ(CodeOf(CheckAccess(kGroupMember, file, kMayWrite)), StatusCode::kPermissionDenied);
  EXPECT_EQ(CodeOf(CheckAccess(kStranger, file, kMayRead)), StatusCode::kPermissionDenied);
  // The owner class applies to the owner even when it grants less than the others get.
  EXPECT_EQ(CodeOf(CheckAccess(kOwner, File(0077), kMayRead)), StatusCode::kPermissionDenied);
  // The primary gid counts as membership too.
  EXPECT_TRUE(CheckAccess(Credentials{kBob, kStaff, {}}, file, kMayRead).ok());
  // Mask 0 (F_OK) asks nothing.
  EXPECT_TRUE(CheckAccess(kStranger, File(0), 0).ok());
}

TEST(PermissionsTest, RootReadsAndWritesEverythingButExecutesOnlyWhatHasAnExecuteBit) {
  EXPECT_TRUE(CheckAccess(kRoot, File(0), kMayRead | kMayWrite).ok());
  EXPECT_TRUE(CheckAccess(kRoot, Dir(0), kMayExec).ok());
  EXPECT_EQ(CodeOf(CheckAccess(kRoot, File(0644), kMayExec)), StatusCode::kPermissionDenied);
  EXPECT_TRUE(CheckAccess(kRoot, File(0001), kMayExec).ok());
}

TEST(PermissionsTest, ChangingADirectoryNeedsWriteAndSearch) {
  EXPECT_TRUE(CheckModifyDirectory(kOwner, Dir(0700)).ok());
  EXPECT_EQ(CodeOf(CheckModifyDirectory(kOwner, Dir(0500))), StatusCode::kPermissionDenied);
  EXPECT_EQ(CodeOf(CheckModifyDirectory(kStranger, Dir(0776))), StatusCode::kPermissionDenied);
  EXPECT_EQ(CodeOf(CheckModifyDirectory(kStranger, Dir(0700))), StatusCode::kPermissionDenied);
}

TEST(PermissionsTest, StickyDirectoryLetsOnlyOwnersAndRootRemove) {
  InodeRecord tmp = Dir(01777, /*uid=*/0, /*gid=*/0);
  InodeRecord alices = File(0644, kAlice);
  EXPECT_TRUE(CheckRemoveEntry(kOwner, tmp, alices).ok());
  EXPECT_EQ(CodeOf(CheckRemoveEntry(kStranger, tmp, alices)), StatusCode::kNotPermitted);
  EXPECT_TRUE(CheckRemoveEntry(kRoot, tmp, alices).ok());
  // The directory's owner may remove anything in it.
  EXPECT_TRUE(CheckRemoveEntry(kStranger, Dir(01777, kBob), alices).ok());
  // Without the sticky bit write permission is enough.
  EXPECT_TRUE(CheckRemoveEntry(kStranger, Dir(0777, 0, 0), alices).ok());
  // Write permission is still needed first (EACCES, not EPERM).
  EXPECT_EQ(CodeOf(CheckRemoveEntry(kStranger, Dir(01755, 0, 0), alices)),
            StatusCode::kPermissionDenied);
}

TEST(PermissionsTest, SetgidDirectoryPassesItsGroupAndToDirectoriesItsBit) {
  InodeRecord shared = Dir(02775, 0, kStaff);
  NewOwnership file = OwnershipOfNewInode(kGroupMember, shared, rpc::FileType::REGULAR, 0644);
  EXPECT_EQ(file.gid, kStaff);
  EXPECT_EQ(file.mode, 0644);
  NewOwnership dir = OwnershipOfNewInode(kGroupMember, shared, rpc::FileType::DIRECTORY, 0755);
  EXPECT_EQ(dir.gid, kStaff);
  EXPECT_EQ(dir.mode, 02755);
  // Outside the group, a setgid file is not created setgid.
  EXPECT_EQ(OwnershipOfNewInode(kStranger, shared, rpc::FileType::REGULAR, 02755).mode, 0755);
  EXPECT_EQ(OwnershipOfNewInode(kRoot, shared, rpc::FileType::REGULAR, 02755).mode, 02755);
  // A plain directory: the creator's primary group.
  NewOwnership plain = OwnershipOfNewInode(kStranger, Dir(0777), rpc::FileType::REGULAR, 0600);
  EXPECT_EQ(plain.gid, kBob);
  EXPECT_EQ(plain.mode, 0600);
}

TEST(PermissionsTest, ChmodIsForTheOwnerAndRoot) {
  EXPECT_TRUE(CheckChmod(kOwner, File(0644), 0600).ok());
  EXPECT_TRUE(CheckChmod(kRoot, File(0644), 0600).ok());
  EXPECT_EQ(CodeOf(CheckChmod(kStranger, File(0777), 0700)), StatusCode::kNotPermitted);
  // The kernel's own chmod on a non-owner's write of a setuid file: only the bits go.
  EXPECT_TRUE(CheckChmod(kStranger, File(06777), 0777).ok());
  EXPECT_TRUE(CheckChmod(kStranger, File(06777), 02777).ok());
  EXPECT_EQ(CodeOf(CheckChmod(kStranger, File(06777), 06777)), StatusCode::kNotPermitted);
  EXPECT_EQ(CodeOf(CheckChmod(kStranger, File(06777), 0700)), StatusCode::kNotPermitted);
  EXPECT_EQ(CodeOf(CheckChmod(kStranger, File(06755), 0755)), StatusCode::kNotPermitted);
  // The owner outside the file's group cannot make it setgid; root can.
  EXPECT_EQ(ModeAfterChmod(kOwner, File(0644), 02755), 0755);
  EXPECT_EQ(ModeAfterChmod(kOwner, File(0644, kAlice, kAlice), 02755), 02755);
  EXPECT_EQ(ModeAfterChmod(kRoot, File(0644), 06755), 06755);
}

TEST(PermissionsTest, OnlyRootGivesFilesAwayAndOwnersChgrpToTheirGroups) {
  InodeRecord file = File(0644, kAlice, kAlice);
  EXPECT_TRUE(CheckChown(kRoot, file, kBob, kOther).ok());
  EXPECT_EQ(CodeOf(CheckChown(kOwner, file, kBob, -1)), StatusCode::kNotPermitted);
  Credentials alice_in_staff{kAlice, kAlice, {kStaff}};
  EXPECT_TRUE(CheckChown(alice_in_staff, file, -1, kStaff).ok());
  EXPECT_EQ(CodeOf(CheckChown(alice_in_staff, file, -1, kOther)), StatusCode::kNotPermitted);
  // Setting the owner it already has is allowed to the owner, not to others.
  EXPECT_TRUE(CheckChown(kOwner, file, kAlice, kAlice).ok());
  EXPECT_EQ(CodeOf(CheckChown(kStranger, file, kAlice, -1)), StatusCode::kNotPermitted);
  EXPECT_EQ(CodeOf(CheckChown(kGroupMember, File(0666), -1, kStaff)), StatusCode::kNotPermitted);
}

TEST(PermissionsTest, ChownAndNonRootWritesDropSetuidAndExecutableSetgid) {
  EXPECT_EQ(ModeAfterChown(File(06755)), 0755);
  EXPECT_EQ(ModeAfterChown(File(06745)), 02745);  // setgid without g+x: mandatory locking
  EXPECT_EQ(ModeAfterChown(Dir(02755)), 02755);   // a directory keeps its setgid
  EXPECT_EQ(ModeAfterWrite(kStranger, File(06777)), 0777);
  EXPECT_EQ(ModeAfterWrite(kOwner, File(04755)), 0755);
  EXPECT_EQ(ModeAfterWrite(kRoot, File(06755)), 06755);
}

TEST(PermissionsTest, ExplicitTimesNeedTheOwnerAndNowNeedsWrite) {
  InodeRecord writable = File(0666);
  EXPECT_TRUE(CheckSetTimes(kOwner, File(0400), /*only_now=*/false).ok());
  EXPECT_TRUE(CheckSetTimes(kRoot, File(0), false).ok());
  EXPECT_EQ(CodeOf(CheckSetTimes(kStranger, writable, false)), StatusCode::kNotPermitted);
  EXPECT_TRUE(CheckSetTimes(kStranger, writable, /*only_now=*/true).ok());
  EXPECT_EQ(CodeOf(CheckSetTimes(kStranger, File(0644), true)), StatusCode::kPermissionDenied);
}

TEST(PermissionsTest, TruncateNeedsWrite) {
  EXPECT_TRUE(CheckTruncate(kGroupMember, File(0664)).ok());
  EXPECT_EQ(CodeOf(CheckTruncate(kGroupMember, File(0644))), StatusCode::kPermissionDenied);
}

}  // namespace
}  // namespace tessera::master
