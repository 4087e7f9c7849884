// MasterService handler of O_APPEND reservations.
//
// Why the master decides append offsets: an appending client cannot know the end of a file that
// another client is appending to as well; only the leader sees every append. The inode's lock in
// append_locks_ is held from the read of the size (after a read barrier, so it includes every
// committed reservation, also those of an earlier leader) until the commit of size + length is
// applied, so no two reservations on this leader read the same end. The commit goes through the
// client's session, so a retried reservation answers the attributes of its first application rather
// than reserving a second range; the range is therefore derived from the answered size, never from
// the size read here. A reservation whose client then fails leaves a hole of zeros, never an
// overlap. The command is commitWrite's (size = max(size, end)): an ordinary write committed past
// the end at the same moment may move the end further, which POSIX leaves unordered anyway.

#include "common/logging.h"
#include "common/names.h"
#include "common/rpc_errors.h"
#include "master/master_service.h"
#include "master/request_permissions.h"
#include "master/request_validation.h"

namespace tessera::master {

void MasterServiceHandler::reserveAppend(rpc::Attr& reply, const rpc::RequestContext& ctx,
                                         int64_t inode, int64_t length, int64_t mtime_ns) {
  ThrowIfError(ValidateContext(ctx));
  ThrowIfError(ValidateInode(inode));
  if (length < 0 || length > kMaxFileSize) {
    ThrowIfError(Status::InvalidArgument("append length out of range: " + std::to_string(length)));
  }
  if (mtime_ns < 0) ThrowIfError(Status::InvalidArgument("mtime_ns must be >= 0"));
  KeyedMutex::Guard append_lock = append_locks_.Lock(inode);
  ThrowIfError(log_->ReadBarrier());
  Result<rpc::Attr> current = state_->GetAttr(inode);
  ThrowIfError(current.status());
  const rpc::Attr& attr = *current;
  if (attr.size > kMaxFileSize - length) {
    ThrowIfError(Status::FileTooLarge("appending " + std::to_string(length) +
                                         " bytes to inode " + std::to_string(inode) +
                                         " passes the largest file size"));
  }
  master_state::CommitWriteCommand command;
  command.inode = inode;
  command.end_offset = attr.size + length;
  command.mtime_ns = mtime_ns;
  command.__set_caller(CallerOf(ctx));
  MetaCommand wrapped;
  wrapped.__set_commit_write(command);
  Result<ApplyResult> applied = Mutate(ctx, std::move(wrapped));
  ThrowIfError(applied.status());
  if (!applied->attr) ThrowIfError(Status::Internal("commit_write produced no attributes"));
  reply = *applied->attr;
  LOG_REQ(kDebug, "master", ctx.request_id) << "inode " << inode << ": append of " << length
                                            << " bytes reserved at " << reply.size - length;
}

}  // namespace tessera::master
