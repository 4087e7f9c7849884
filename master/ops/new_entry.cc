// What every operation that adds a new inode under a name shares (mkdir, create).
#include "common/names.h"
#include "master/ops/ops.h"

namespace tessera::master {

Result<InodeRecord> PrepareNewEntry(OpContext& op, int64_t parent, const std::string& name,
                                    int64_t inode) {
  RETURN_IF_ERROR(ValidateName(name));
  ASSIGN_OR_RETURN(InodeRecord parent_record, op.RequireDirectory(parent));
  ASSIGN_OR_RETURN(auto existing, op.store().GetDentry(parent, name));
  if (existing) return Status::AlreadyExists("'" + name + "' exists");
  RETURN_IF_ERROR(CheckInodeUnused(op, inode));
  return parent_record;
}

void LinkNewInode(OpContext& op, InodeRecord& parent, const std::string& name,
                  const InodeRecord& child, int64_t time_ns) {
  op.AddInode(child);
  DentryRecord dentry;
  dentry.inode = child.inode;
  dentry.type = child.type;
  op.PutDentry(parent.inode, name, dentry);
  TouchDirectory(&parent, time_ns);
  op.PutInode(parent);
}

Result<NewOwnership> AuthorizeNewEntry(const std::optional<Credentials>& caller, int32_t uid,
                                       int32_t gid, const InodeRecord& parent, int32_t type,
                                       int32_t mode) {
  if (caller) RETURN_IF_ERROR(CheckModifyDirectory(*caller, parent));
  return OwnershipOfNewInode(caller.value_or(Credentials{uid, gid, {}}), parent, type, mode);
}

}  // namespace tessera::master
