#include <string>

#include "master/ops/ops.h"

namespace tessera::master {

Status CheckMode(int32_t mode) {
  if ((mode & ~07777) != 0) {
    return Status::InvalidArgument("mode " + std::to_string(mode) + " has bits outside 07777");
  }
  return Status::Ok();
}

Status CheckTime(int64_t time_ns) {
  if (time_ns < 0) return Status::InvalidArgument("negative time " + std::to_string(time_ns));
  return Status::Ok();
}

Status CheckInodeNumber(int64_t inode) {
  if (inode <= 0) return Status::InvalidArgument("inode " + std::to_string(inode) + " <= 0");
  return Status::Ok();
}

Status CheckInodeUnused(const OpContext& op, int64_t inode) {
  RETURN_IF_ERROR(CheckInodeNumber(inode));
  ASSIGN_OR_RETURN(auto existing, op.store().GetInode(inode));
  // Only a proposer bug gets here: ids are handed out from next_inode, which only grows.
  if (existing) return Status::Internal("new inode " + std::to_string(inode) + " is in use");
  return Status::Ok();
}

std::optional<Credentials> CallerCredentials(bool has_caller, const master_state::Caller& caller) {
  if (!has_caller) return std::nullopt;
  return Credentials{caller.uid, caller.gid, caller.groups};
}

Credentials CallerCredentialsOrRoot(bool has_caller, const master_state::Caller& caller) {
  return CallerCredentials(has_caller, caller).value_or(Credentials{});
}

}  // namespace tessera::master
