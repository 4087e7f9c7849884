// MasterService handlers of names without data of their own: hard links, symlinks and special
// files (FIFOs, sockets). Each validates its arguments and proposes one command (link, mknod);
// the semantics are in master/ops/link.cc and master/ops/mknod.cc.
#include "common/logging.h"
#include "common/names.h"
#include "common/rpc_errors.h"
#include "master/master_service.h"

#include "master/request_permissions.h"
#include "master/request_validation.h"

namespace tessera::master {

namespace {

// The attributes a link or mknod command answers with; throws its error.
rpc::Attr AttrOrThrow(Result<ApplyResult> result) {
  ThrowIfError(result.status());
  if (!result->attr) ThrowIfError(Status::Internal("command produced no attributes"));
  return *result->attr;
}

}  // namespace

void MasterServiceHandler::link(rpc::Attr& reply, const rpc::RequestContext& ctx, int64_t inode,
                                int64_t new_parent, const std::string& new_name) {
  ThrowIfError(ValidateContext(ctx));
  ThrowIfError(ValidateInode(inode));
  ThrowIfError(ValidateInode(new_parent, "new_parent"));
  ThrowIfError(ValidateName(new_name));
  master_state::LinkCommand command;
  command.inode = inode;
  command.new_parent = new_parent;
  command.new_name = new_name;
  command.__set_caller(CallerOf(ctx));
  MetaCommand wrapped;
  wrapped.__set_link(command);
  reply = AttrOrThrow(Mutate(ctx, std::move(wrapped)));
  LOG_REQ(kDebug, "master", ctx.request_id)
      << "linked inode " << inode << " as '" << new_name << "' in inode " << new_parent
      << ", nlink now " << reply.nlink;
}

void MasterServiceHandler::symlink(rpc::Attr& reply, const rpc::RequestContext& ctx,
                                   int64_t parent, const std::string& name,
                                   const std::string& target) {
  ThrowIfError(ValidateContext(ctx));
  ThrowIfError(ValidateInode(parent, "parent"));
  ThrowIfError(ValidateName(name));
  ThrowIfError(ValidateSymlinkTarget(target));
  master_state::MknodCommand command;
  command.parent = parent;
  command.name = name;
  command.type = rpc::FileType::SYMLINK;
  command.mode = 0777;
  command.uid = ctx.uid;
  command.gid = ctx.gid;
  command.symlink_target = target;
  command.__set_caller(CallerOf(ctx));
  MetaCommand wrapped;
  wrapped.__set_mknod(command);
  reply = AttrOrThrow(Mutate(ctx, std::move(wrapped)));
}

void MasterServiceHandler::mknod(rpc::Attr& reply, const rpc::RequestContext& ctx, int64_t parent,
                                 const std::string& name, rpc::FileType::type type,
                                 int32_t mode) {
  ThrowIfError(ValidateContext(ctx));
  ThrowIfError(ValidateInode(parent, "parent"));
  ThrowIfError(ValidateName(name));
  ThrowIfError(ValidateMode(mode));
  if (type != rpc::FileType::FIFO && type != rpc::FileType::SOCKET) {
    ThrowIfError(Status::InvalidArgument("mknod makes FIFOs and sockets only, not type " +
                                         std::to_string(static_cast<int>(type))));
  }
  master_state::MknodCommand command;
  command.parent = parent;
  command.name = name;
  command.type = type;
  command.mode = mode;
  command.uid = ctx.uid;
  command.gid = ctx.gid;
  command.__set_caller(CallerOf(ctx));
  MetaCommand wrapped;
  wrapped.__set_mknod(command);
  reply = AttrOrThrow(Mutate(ctx, std::move(wrapped)));
}

}  // namespace tessera::master
