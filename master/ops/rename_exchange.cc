// renameat2(RENAME_EXCHANGE): both names must exist (ENOENT otherwise) and swap their inodes in
// one batch. Any two types swap, a file with a directory too. Exchanging a name with itself or
// with another link to the same inode is a no-op. A directory must not land inside itself
// (EINVAL). A directory that changes parent takes its ".." link along (both parents' nlink
// follow); both inodes get a new ctime and both parents new mtime/ctime. Permissions are those
// of two renames.
#include "common/names.h"
#include "master/ops/ops.h"

namespace tessera::master {

Result<ApplyResult> ApplyRenameExchange(OpContext& op,
                                        const master_state::RenameCommand& command) {
  ASSIGN_OR_RETURN(RenameParents parents, LoadRenameParents(op, command));
  InodeRecord& old_dir = parents.old_dir;
  InodeRecord& new_dir = parents.new_dir();

  ASSIGN_OR_RETURN(DentryRecord source_entry,
                   op.RequireDentry(command.old_parent, command.old_name));
  ASSIGN_OR_RETURN(DentryRecord target_entry,
                   op.RequireDentry(command.new_parent, command.new_name));
  ApplyResult result;
  if (source_entry.inode == target_entry.inode) return result;
  ASSIGN_OR_RETURN(InodeRecord source, op.RequireInode(source_entry.inode));
  ASSIGN_OR_RETURN(InodeRecord target, op.RequireInode(target_entry.inode));
  const bool source_is_dir = source.type == rpc::FileType::DIRECTORY;
  const bool target_is_dir = target.type == rpc::FileType::DIRECTORY;
  if (const std::optional<Credentials> caller =
          CallerCredentials(command.__isset.caller, command.caller)) {
    // As two renames at once (rename.cc): each name is removed from its directory and added
    // to the other, and a directory that changes parent needs write permission (its "..").
    RETURN_IF_ERROR(CheckModifyDirectory(*caller, old_dir));
    RETURN_IF_ERROR(CheckModifyDirectory(*caller, new_dir));
    RETURN_IF_ERROR(CheckRemoveEntry(*caller, old_dir, source));
    RETURN_IF_ERROR(CheckRemoveEntry(*caller, new_dir, target));
    if (!parents.same_dir && source_is_dir) {
      RETURN_IF_ERROR(CheckAccess(*caller, source, kMayWrite));
    }
    if (!parents.same_dir && target_is_dir) {
      RETURN_IF_ERROR(CheckAccess(*caller, target, kMayWrite));
    }
  }
  if (!parents.same_dir) {
    // Each directory that changes parent moves, and must not move into itself. These checks
    // also rule out a parent being one of the swapped inodes.
    if (source_is_dir) RETURN_IF_ERROR(CheckNotInsideMoved(op, command.new_parent, source.inode));
    if (target_is_dir) RETURN_IF_ERROR(CheckNotInsideMoved(op, command.old_parent, target.inode));
    if (source_is_dir) {
      source.parent = command.new_parent;
      --old_dir.nlink;
      ++new_dir.nlink;
    }
    if (target_is_dir) {
      target.parent = command.old_parent;
      --new_dir.nlink;
      ++old_dir.nlink;
    }
  }

  op.PutDentry(command.old_parent, command.old_name, target_entry);
  op.PutDentry(command.new_parent, command.new_name, source_entry);
  source.ctime_ns = command.time_ns;
  target.ctime_ns = command.time_ns;
  op.PutInode(source);
  op.PutInode(target);
  PutRenameParents(op, parents, command.time_ns);
  return result;
}

}  // namespace tessera::master
