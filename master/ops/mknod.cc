// symlink(2) and mknod(2) of a FIFO or socket: an inode that holds no chunks, with one link.
// EEXIST when the name is taken; the caller needs write and search permission on the parent,
// and a setgid parent passes its group. A symlink's mode is 0777 (Linux ignores it) and its size is
// its target's length, as lstat shows it. Regular files come through create, directories
// through mkdir; device nodes are not stored (the mount refuses them before they get here).
#include "common/names.h"
#include "master/ops/ops.h"

namespace tessera::master {

namespace {

Status CheckNodeFields(const master_state::MknodCommand& command) {
  switch (command.type) {
    case rpc::FileType::SYMLINK:
      return ValidateSymlinkTarget(command.symlink_target);
    case rpc::FileType::FIFO:
    case rpc::FileType::SOCKET:
      if (!command.symlink_target.empty()) {
        return Status::InvalidArgument("only a symlink has a target");
      }
      return Status::Ok();
    default:
      return Status::InvalidArgument("mknod makes symlinks, FIFOs and sockets, not type " +
                                     std::to_string(command.type));
  }
}

}  // namespace

Result<ApplyResult> ApplyMknod(OpContext& op, const master_state::MknodCommand& command) {
  RETURN_IF_ERROR(CheckNodeFields(command));
  RETURN_IF_ERROR(CheckMode(command.mode));
  RETURN_IF_ERROR(CheckTime(command.time_ns));
  if (command.uid < 0 || command.gid < 0) return Status::InvalidArgument("negative uid or gid");
  ASSIGN_OR_RETURN(InodeRecord parent,
                   PrepareNewEntry(op, command.parent, command.name, command.inode));
  ASSIGN_OR_RETURN(const NewOwnership owner,
                   AuthorizeNewEntry(CallerCredentials(command.__isset.caller, command.caller),
                                     command.uid, command.gid, parent, command.type,
                                     command.mode));

  InodeRecord node;
  node.inode = command.inode;
  node.type = command.type;
  node.mode = command.type == rpc::FileType::SYMLINK ? 0777 : owner.mode;
  node.uid = command.uid;
  node.gid = owner.gid;
  node.nlink = 1;
  node.symlink_target = command.symlink_target;
  node.size = static_cast<int64_t>(command.symlink_target.size());
  node.atime_ns = node.mtime_ns = node.ctime_ns = command.time_ns;
  LinkNewInode(op, parent, command.name, node, command.time_ns);

  ApplyResult result;
  result.attr = ToAttr(node);
  return result;
}

}  // namespace tessera::master
