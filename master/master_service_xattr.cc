// MasterService handlers of extended attributes (the rules: master/xattr_rules.h). Changes are
// log commands carrying the caller's identity, so the access check is part of the apply; reads
// are linearized with ReadBarrier and checked against the same rules.
#include "common/logging.h"
#include "common/rpc_errors.h"
#include "master/master_service.h"
#include "master/request_permissions.h"
#include "master/request_validation.h"
#include "master/xattr_reads.h"
#include "master/xattr_rules.h"

namespace tessera::master {
namespace {

XattrCaller XattrCallerOf(const rpc::RequestContext& ctx) {
  return XattrCaller{ctx.uid, ctx.gid, ctx.groups};
}

}  // namespace

void MasterServiceHandler::setXattr(const rpc::RequestContext& ctx, int64_t inode,
                                    const std::string& name, const std::string& value,
                                    int32_t flags) {
  ThrowIfError(ValidateContext(ctx));
  ThrowIfError(ValidateInode(inode));
  ThrowIfError(ValidateXattrName(name));
  ThrowIfError(ValidateXattrValue(value));
  ThrowIfError(ValidateXattrFlags(flags));
  master_state::SetXattrCommand command;
  command.inode = inode;
  command.name = name;
  command.value = value;
  command.flags = flags;
  command.__set_caller(CallerOf(ctx));
  MetaCommand wrapped;
  wrapped.__set_set_xattr(command);
  ThrowIfError(Mutate(ctx, std::move(wrapped)).status());
  LOG_REQ(kDebug, "master", ctx.request_id)
      << "set xattr '" << name << "' (" << value.size() << " bytes) of inode " << inode;
}

void MasterServiceHandler::getXattr(std::string& reply, const rpc::RequestContext& ctx,
                                    int64_t inode, const std::string& name) {
  ThrowIfError(ValidateContext(ctx));
  ThrowIfError(ValidateInode(inode));
  ThrowIfError(ValidateXattrName(name));
  ThrowIfError(log_->ReadBarrier());
  Result<std::string> value = ReadXattr(*state_->CurrentStore(), inode, name, XattrCallerOf(ctx));
  ThrowIfError(value.status());
  reply = *std::move(value);
}

void MasterServiceHandler::listXattrs(std::vector<std::string>& reply,
                                      const rpc::RequestContext& ctx, int64_t inode) {
  ThrowIfError(ValidateContext(ctx));
  ThrowIfError(ValidateInode(inode));
  ThrowIfError(log_->ReadBarrier());
  Result<std::vector<std::string>> names =
      ListXattrNames(*state_->CurrentStore(), inode, XattrCallerOf(ctx));
  ThrowIfError(names.status());
  reply = *std::move(names);
}

void MasterServiceHandler::removeXattr(const rpc::RequestContext& ctx, int64_t inode,
                                       const std::string& name) {
  ThrowIfError(ValidateContext(ctx));
  ThrowIfError(ValidateInode(inode));
  ThrowIfError(ValidateXattrName(name));
  master_state::RemoveXattrCommand command;
  command.inode = inode;
  command.name = name;
  command.__set_caller(CallerOf(ctx));
  MetaCommand wrapped;
  wrapped.__set_remove_xattr(command);
  ThrowIfError(Mutate(ctx, std::move(wrapped)).status());
  LOG_REQ(kDebug, "master", ctx.request_id) << "removed xattr '" << name << "' of inode " << inode;
}

}  // namespace tessera::master
