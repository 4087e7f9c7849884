// rename(2), flags 0:
// - renaming an entry onto itself (same parent and name, or another link to the same inode) is
//   a no-op;
// - an existing target is replaced atomically: a file by a file (it loses a link; with its last
//   one it is kept unnamed while mounts may hold it open, RemoveLastLink), a directory by a directory only when the target is empty
//   (ENOTEMPTY otherwise);
// - a directory onto a file is ENOTDIR, a file onto a directory EISDIR;
// - a directory moved into its own subtree is EINVAL;
// - both parents get new mtime/ctime; directory link counts follow the moved "..";
// - the caller needs write and search permission on both parents, the sticky-directory right to
//   remove the source and any replaced target, and write permission on a directory it moves to
//   another parent (its ".." changes).
// RENAME_NOREPLACE: EEXIST whenever the new name exists. RENAME_EXCHANGE: rename_exchange.cc.
#include "common/names.h"
#include "master/ops/ops.h"

namespace tessera::master {

namespace {

// Deeper than any sane tree; a longer walk means a parent cycle, i.e. corrupt state.
constexpr int kMaxDirectoryDepth = 1 << 20;

}  // namespace

Status CheckNotInsideMoved(const OpContext& op, int64_t dir, int64_t moved) {
  int64_t current = dir;
  for (int depth = 0; depth < kMaxDirectoryDepth; ++depth) {
    if (current == moved) {
      return Status::InvalidArgument("cannot move directory " + std::to_string(moved) +
                                     " into its own subtree");
    }
    if (current == kRootInode) return Status::Ok();
    ASSIGN_OR_RETURN(InodeRecord record, op.RequireDirectory(current));
    current = record.parent;
  }
  return Status::Corruption("directory parents of inode " + std::to_string(dir) + " form a cycle");
}

Result<RenameParents> LoadRenameParents(const OpContext& op,
                                        const master_state::RenameCommand& command) {
  RenameParents parents;
  parents.same_dir = command.old_parent == command.new_parent;
  ASSIGN_OR_RETURN(parents.old_dir, op.RequireDirectory(command.old_parent));
  if (!parents.same_dir) {
    ASSIGN_OR_RETURN(parents.other_dir, op.RequireDirectory(command.new_parent));
  }
  return parents;
}

void PutRenameParents(OpContext& op, RenameParents& parents, int64_t time_ns) {
  TouchDirectory(&parents.old_dir, time_ns);
  op.PutInode(parents.old_dir);
  if (!parents.same_dir) {
    TouchDirectory(&parents.other_dir, time_ns);
    op.PutInode(parents.other_dir);
  }
}

namespace {

// Removes the entry being replaced; returns the freed chunk ids. Adjusts *new_dir's link count
// when a directory goes.
Result<std::vector<int64_t>> RemoveReplacedTarget(OpContext& op, const InodeRecord& source,
                                                  const InodeRecord& target, InodeRecord* new_dir,
                                                  int64_t time_ns) {
  bool source_is_dir = source.type == rpc::FileType::DIRECTORY;
  bool target_is_dir = target.type == rpc::FileType::DIRECTORY;
  if (source_is_dir && !target_is_dir) {
    return Status::NotDirectory("rename target " + std::to_string(target.inode) +
                                " is not a directory");
  }
  if (!source_is_dir && target_is_dir) {
    return Status::IsDirectory("rename target " + std::to_string(target.inode) + " is a directory");
  }
  if (target_is_dir) {
    ASSIGN_OR_RETURN(bool has_entries, op.store().HasDentries(target.inode));
    if (has_entries) {
      return Status::NotEmpty("rename target " + std::to_string(target.inode) + " is not empty");
    }
    --new_dir->nlink;
    return op.RemoveInode(target);
  }
  if (target.nlink > 1) {
    InodeRecord still_linked = target;
    --still_linked.nlink;
    still_linked.ctime_ns = time_ns;
    op.PutInode(still_linked);
    return std::vector<int64_t>();
  }
  return RemoveLastLink(op, target, time_ns);
}

}  // namespace

Result<ApplyResult> ApplyRename(OpContext& op, const master_state::RenameCommand& command) {
  RETURN_IF_ERROR(ValidateName(command.old_name));
  RETURN_IF_ERROR(ValidateName(command.new_name));
  RETURN_IF_ERROR(CheckTime(command.time_ns));
  RETURN_IF_ERROR(ValidateRenameFlags(static_cast<uint32_t>(command.flags)));
  if (command.flags == kRenameExchange) return ApplyRenameExchange(op, command);
  ASSIGN_OR_RETURN(RenameParents parents, LoadRenameParents(op, command));
  const bool same_dir = parents.same_dir;
  InodeRecord& old_dir = parents.old_dir;
  InodeRecord* new_dir = &parents.new_dir();
  const std::optional<Credentials> caller =
      CallerCredentials(command.__isset.caller, command.caller);
  if (caller) RETURN_IF_ERROR(CheckAccess(*caller, old_dir, kMayExec));

  ASSIGN_OR_RETURN(DentryRecord source_entry,
                   op.RequireDentry(command.old_parent, command.old_name));
  ApplyResult result;
  if (command.flags == kRenameNoReplace) {
    ASSIGN_OR_RETURN(auto taken, op.store().GetDentry(command.new_parent, command.new_name));
    if (taken) return Status::AlreadyExists("'" + command.new_name + "' exists");
  }
  if (same_dir && command.old_name == command.new_name) return result;
  ASSIGN_OR_RETURN(InodeRecord source, op.RequireInode(source_entry.inode));
  bool source_is_dir = source.type == rpc::FileType::DIRECTORY;
  if (caller) {
    RETURN_IF_ERROR(CheckRemoveEntry(*caller, old_dir, source));
    RETURN_IF_ERROR(CheckModifyDirectory(*caller, *new_dir));
    if (source_is_dir && !same_dir) RETURN_IF_ERROR(CheckAccess(*caller, source, kMayWrite));
  }
  if (source_is_dir) RETURN_IF_ERROR(CheckNotInsideMoved(op, command.new_parent, source.inode));

  ASSIGN_OR_RETURN(auto target_entry, op.store().GetDentry(command.new_parent, command.new_name));
  if (target_entry) {
    if (target_entry->inode == source.inode) return result;
    ASSIGN_OR_RETURN(InodeRecord target, op.RequireInode(target_entry->inode));
    if (caller) RETURN_IF_ERROR(CheckRemoveEntry(*caller, *new_dir, target));
    ASSIGN_OR_RETURN(result.freed_chunk_ids,
                     RemoveReplacedTarget(op, source, target, new_dir, command.time_ns));
  }

  op.DeleteDentry(command.old_parent, command.old_name);
  op.PutDentry(command.new_parent, command.new_name, source_entry);
  if (source_is_dir && !same_dir) {
    --old_dir.nlink;
    ++new_dir->nlink;
    source.parent = command.new_parent;
  }
  source.ctime_ns = command.time_ns;
  op.PutInode(source);
  PutRenameParents(op, parents, command.time_ns);
  return result;
}

}  // namespace tessera::master
