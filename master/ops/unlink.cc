// unlink(2): EISDIR for a directory (Linux says EISDIR). A regular file losing its last link is
// kept unnamed while mounts may hold it open (RemoveLastLink); any other inode goes with its last
// link. The caller needs
// write and search permission on the directory and, when it is sticky, to own the file or it.
#include "common/names.h"
#include "master/ops/ops.h"

namespace tessera::master {

Result<ApplyResult> ApplyUnlink(OpContext& op, const master_state::UnlinkCommand& command) {
  RETURN_IF_ERROR(ValidateName(command.name));
  RETURN_IF_ERROR(CheckTime(command.time_ns));
  ASSIGN_OR_RETURN(InodeRecord parent, op.RequireDirectory(command.parent));
  const std::optional<Credentials> caller =
      CallerCredentials(command.__isset.caller, command.caller);
  if (caller) RETURN_IF_ERROR(CheckAccess(*caller, parent, kMayExec));
  ASSIGN_OR_RETURN(DentryRecord dentry, op.RequireDentry(command.parent, command.name));
  if (dentry.type == rpc::FileType::DIRECTORY) {
    return Status::IsDirectory("'" + command.name + "' is a directory");
  }
  ASSIGN_OR_RETURN(InodeRecord target, op.RequireInode(dentry.inode));
  if (caller) RETURN_IF_ERROR(CheckRemoveEntry(*caller, parent, target));

  ApplyResult result;
  if (target.nlink > 1) {
    --target.nlink;
    target.ctime_ns = command.time_ns;
    op.PutInode(target);
  } else {
    ASSIGN_OR_RETURN(result.freed_chunk_ids, RemoveLastLink(op, target, command.time_ns));
  }
  op.DeleteDentry(command.parent, command.name);
  TouchDirectory(&parent, command.time_ns);
  op.PutInode(parent);
  return result;
}

}  // namespace tessera::master
