// What setting and removing an extended attribute share: the checks before the change (the
// command's fields, the inode, xattr(7) access for writing) and its mark on the inode (ctime).
#include "master/ops/ops.h"

namespace tessera::master {

Result<XattrChange> PrepareXattrChange(const OpContext& op, int64_t inode, const std::string& name,
                                       const XattrCaller& caller, int64_t time_ns) {
  RETURN_IF_ERROR(CheckInodeNumber(inode));
  RETURN_IF_ERROR(CheckTime(time_ns));
  RETURN_IF_ERROR(ValidateXattrName(name));
  XattrChange change;
  ASSIGN_OR_RETURN(change.inode, op.RequireInode(inode));
  RETURN_IF_ERROR(CheckXattrAccess(change.inode, name, caller, XattrAccess::kWrite));
  ASSIGN_OR_RETURN(change.existing, op.store().GetXattr(inode, name));
  return change;
}

ApplyResult FinishXattrChange(OpContext& op, InodeRecord& inode, int64_t time_ns) {
  inode.ctime_ns = time_ns;
  op.PutInode(inode);
  ApplyResult result;
  result.attr = ToAttr(inode);
  return result;
}

}  // namespace tessera::master
