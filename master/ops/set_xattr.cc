// setxattr(2): XATTR_CREATE fails with EEXIST when the attribute exists, XATTR_REPLACE with
// ENODATA when it does not. Access follows xattr(7) (master/xattr_rules.h). The names and values
// of one inode's attributes are limited to kMaxXattrBytesPerInode together (ENOSPC beyond), as a
// local file system runs out of attribute space. Like chmod, a change moves ctime.
#include "master/ops/ops.h"

namespace tessera::master {
namespace {

// Bytes of names and values `inode` would hold with `name` set to a value of `value_bytes`.
Result<size_t> XattrBytesAfterSet(const OpContext& op, int64_t inode, std::string_view name,
                                  size_t value_bytes) {
  ASSIGN_OR_RETURN(std::vector<NamedXattr> xattrs, op.store().ListXattrs(inode));
  size_t total = name.size() + value_bytes;
  for (const NamedXattr& xattr : xattrs) {
    if (xattr.name != name) total += xattr.name.size() + xattr.value.size();
  }
  return total;
}

}  // namespace

Result<ApplyResult> ApplySetXattr(OpContext& op, const master_state::SetXattrCommand& command) {
  RETURN_IF_ERROR(ValidateXattrValue(command.value));
  RETURN_IF_ERROR(ValidateXattrFlags(command.flags));
  ASSIGN_OR_RETURN(
      XattrChange change,
      PrepareXattrChange(op, command.inode, command.name,
                         CallerCredentialsOrRoot(command.__isset.caller, command.caller),
                         command.time_ns));
  if (change.existing && (command.flags & kXattrCreate) != 0) {
    return Status::AlreadyExists("xattr '" + command.name + "' exists");
  }
  if (!change.existing && (command.flags & kXattrReplace) != 0) {
    return Status::NoData("no xattr '" + command.name + "' to replace");
  }
  ASSIGN_OR_RETURN(size_t total,
                   XattrBytesAfterSet(op, command.inode, command.name, command.value.size()));
  if (total > kMaxXattrBytesPerInode) {
    return Status::NoSpace("inode " + std::to_string(command.inode) + " would hold " +
                           std::to_string(total) + " bytes of xattrs (max " +
                           std::to_string(kMaxXattrBytesPerInode) + ")");
  }
  op.PutXattr(command.inode, command.name, command.value);
  return FinishXattrChange(op, change.inode, command.time_ns);
}

}  // namespace tessera::master
