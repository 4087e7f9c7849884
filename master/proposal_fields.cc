#include "master/proposal_fields.h"

namespace tessera::master {

void FillProposerFields(MetaCommand* command, int64_t now_ns, IdCursor* ids) {
  auto& set = command->__isset;
  if (set.init_root) command->init_root.time_ns = now_ns;
  if (set.mkdir) {
    command->mkdir.inode = ids->next_inode++;
    command->mkdir.time_ns = now_ns;
  }
  if (set.create) {
    command->create.inode = ids->next_inode++;
    command->create.time_ns = now_ns;
  }
  if (set.unlink) command->unlink.time_ns = now_ns;
  if (set.rmdir) command->rmdir.time_ns = now_ns;
  if (set.rename) command->rename.time_ns = now_ns;
  if (set.set_attr) command->set_attr.time_ns = now_ns;
  if (set.set_goal) command->set_goal.time_ns = now_ns;
  if (set.set_server_draining) command->set_server_draining.time_ns = now_ns;
  if (set.mknod) {
    command->mknod.inode = ids->next_inode++;
    command->mknod.time_ns = now_ns;
  }
  if (set.link) command->link.time_ns = now_ns;
  if (set.set_xattr) command->set_xattr.time_ns = now_ns;
  if (set.remove_xattr) command->remove_xattr.time_ns = now_ns;
  if (set.touch_atime) command->touch_atime.time_ns = now_ns;
  if (set.expire_mount) command->expire_mount.time_ns = now_ns;
  if (set.set_balance) command->set_balance.time_ns = now_ns;
  if (set.allocate_chunk) {
    command->allocate_chunk.chunk_id = ids->next_chunk_id++;
    command->allocate_chunk.version = 1;
  }
  // commit_write carries the writer's time: nothing to fill.
}

}  // namespace tessera::master
