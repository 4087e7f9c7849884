#include "master/request_permissions.h"

namespace tessera::master {

Credentials CredentialsOf(const rpc::RequestContext& ctx) {
  return Credentials{ctx.uid, ctx.gid, ctx.groups};
}

master_state::Caller CallerOf(const rpc::RequestContext& ctx) {
  master_state::Caller caller;
  caller.uid = ctx.uid;
  caller.gid = ctx.gid;
  caller.groups = ctx.groups;
  return caller;
}

Status CheckInodeAccess(const StateMachine& state, const rpc::RequestContext& ctx, int64_t inode,
                        int mask) {
  ASSIGN_OR_RETURN(rpc::Attr attr, state.GetAttr(inode));
  // The fields the permission rules read; the rest of the record plays no part.
  InodeRecord record;
  record.inode = attr.inode;
  record.type = attr.type;
  record.mode = attr.mode;
  record.uid = attr.uid;
  record.gid = attr.gid;
  return CheckAccess(CredentialsOf(ctx), record, mask);
}

}  // namespace tessera::master
