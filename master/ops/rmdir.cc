// rmdir(2): ENOTDIR for a non-directory, ENOTEMPTY while it has entries. The parent loses the
// removed directory's ".." link. Permissions as unlink's.
#include "common/names.h"
#include "master/ops/ops.h"

namespace tessera::master {

Result<ApplyResult> ApplyRmdir(OpContext& op, const master_state::RmdirCommand& command) {
  RETURN_IF_ERROR(ValidateName(command.name));
  RETURN_IF_ERROR(CheckTime(command.time_ns));
  ASSIGN_OR_RETURN(InodeRecord parent, op.RequireDirectory(command.parent));
  const std::optional<Credentials> caller =
      CallerCredentials(command.__isset.caller, command.caller);
  if (caller) RETURN_IF_ERROR(CheckAccess(*caller, parent, kMayExec));
  ASSIGN_OR_RETURN(DentryRecord dentry, op.RequireDentry(command.parent, command.name));
  if (dentry.type != rpc::FileType::DIRECTORY) {
    return Status::NotDirectory("'" + command.name + "' is not a directory");
  }
  ASSIGN_OR_RETURN(InodeRecord dir, op.RequireInode(dentry.inode));
  if (caller) RETURN_IF_ERROR(CheckRemoveEntry(*caller, parent, dir));
  ASSIGN_OR_RETURN(bool has_entries, op.store().HasDentries(dir.inode));
  if (has_entries) return Status::NotEmpty("'" + command.name + "' is not empty");

  ApplyResult result;
  ASSIGN_OR_RETURN(result.freed_chunk_ids, op.RemoveInode(dir));
  op.DeleteDentry(command.parent, command.name);
  --parent.nlink;
  TouchDirectory(&parent, command.time_ns);
  op.PutInode(parent);
  return result;
}

}  // namespace tessera::master
