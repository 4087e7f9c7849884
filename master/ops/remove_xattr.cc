// removexattr(2): ENODATA when the attribute does not exist. Access as for setting it
// (master/xattr_rules.h); a removal moves ctime.
#include "master/ops/ops.h"

namespace tessera::master {

Result<ApplyResult> ApplyRemoveXattr(OpContext& op,
                                     const master_state::RemoveXattrCommand& command) {
  ASSIGN_OR_RETURN(
      XattrChange change,
      PrepareXattrChange(op, command.inode, command.name,
                         CallerCredentialsOrRoot(command.__isset.caller, command.caller),
                         command.time_ns));
  if (!change.existing) return Status::NoData("no xattr '" + command.name + "' to remove");
  op.DeleteXattr(command.inode, command.name);
  return FinishXattrChange(op, change.inode, command.time_ns);
}

}  // namespace tessera::master
