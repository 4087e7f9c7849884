// MasterService handler of atime updates by reads. The mount decides when one is due (its
// relatime/strictatime rule, fuse/atime_rule.h) so that reads cost no log entry in the common
// case; the master only records it, with its own clock.
#include "common/logging.h"
#include "common/rpc_errors.h"
#include "master/master_service.h"
#include "master/request_permissions.h"
#include "master/request_validation.h"

namespace tessera::master {

void MasterServiceHandler::touchAtime(rpc::Attr& reply, const rpc::RequestContext& ctx,
                                      int64_t inode) {
  ThrowIfError(ValidateContext(ctx));
  ThrowIfError(ValidateInode(inode));
  master_state::TouchAtimeCommand command;
  command.inode = inode;
  command.__set_caller(CallerOf(ctx));
  MetaCommand wrapped;
  wrapped.__set_touch_atime(command);
  Result<ApplyResult> applied = Mutate(ctx, std::move(wrapped));
  ThrowIfError(applied.status());
  if (!applied->attr) ThrowIfError(Status::Internal("touch_atime produced no attributes"));
  reply = *applied->attr;
  LOG_REQ(kDebug, "master", ctx.request_id)
      << "atime of inode " << inode << " is now " << reply.atime_ns << " (read by uid " << ctx.uid
      << ")";
}

}  // namespace tessera::master
