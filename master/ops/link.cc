// link(2): one more name for an existing non-directory inode, which gains a link and a new
// ctime; the new parent gets new mtime/ctime. The caller needs write and search permission on
// the new parent. EEXIST when the new name is taken. Linux refuses a
// hard link to a directory (EPERM) before the file system sees it, so one reaching the master
// is a bad request: kInvalidArgument, as is a link beyond kMaxLinks.
#include "common/names.h"
#include "master/ops/ops.h"

namespace tessera::master {

namespace {

// The most links one inode may have (ext4's limit), far below nlink's i32 range.
constexpr int32_t kMaxLinks = 65000;

}  // namespace

Result<ApplyResult> ApplyLink(OpContext& op, const master_state::LinkCommand& command) {
  RETURN_IF_ERROR(CheckInodeNumber(command.inode));
  RETURN_IF_ERROR(ValidateName(command.new_name));
  RETURN_IF_ERROR(CheckTime(command.time_ns));
  ASSIGN_OR_RETURN(InodeRecord parent, op.RequireDirectory(command.new_parent));
  ASSIGN_OR_RETURN(InodeRecord target, op.RequireInode(command.inode));
  if (target.type == rpc::FileType::DIRECTORY) {
    return Status::InvalidArgument("inode " + std::to_string(target.inode) +
                                   " is a directory; directories have no hard links");
  }
  if (target.nlink == 0) {
    // Unlinked but still open somewhere (linkat of an open file): Linux refuses it as ENOENT.
    return Status::NotFound("inode " + std::to_string(target.inode) + " has no name any more");
  }
  if (target.nlink >= kMaxLinks) {
    return Status::InvalidArgument("inode " + std::to_string(target.inode) + " has " +
                                   std::to_string(target.nlink) + " links already");
  }
  if (const std::optional<Credentials> caller =
          CallerCredentials(command.__isset.caller, command.caller)) {
    RETURN_IF_ERROR(CheckModifyDirectory(*caller, parent));
  }
  ASSIGN_OR_RETURN(auto existing, op.store().GetDentry(command.new_parent, command.new_name));
  if (existing) return Status::AlreadyExists("'" + command.new_name + "' exists");

  ++target.nlink;
  target.ctime_ns = command.time_ns;
  op.PutInode(target);
  DentryRecord dentry;
  dentry.inode = target.inode;
  dentry.type = target.type;
  op.PutDentry(parent.inode, command.new_name, dentry);
  TouchDirectory(&parent, command.time_ns);
  op.PutInode(parent);

  ApplyResult result;
  result.attr = ToAttr(target);
  return result;
}

}  // namespace tessera::master
