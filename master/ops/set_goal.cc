// Sets how many replicas a file's chunks should have (a directory's goal is inherited by what is
// created in it later). The replication manager then adds or drops replicas; this command only
// records the wish. chmod-like: ctime moves.
#include "common/names.h"
#include "master/ops/ops.h"

namespace tessera::master {

Result<ApplyResult> ApplySetGoal(OpContext& op, const master_state::SetGoalCommand& command) {
  RETURN_IF_ERROR(CheckInodeNumber(command.inode));
  RETURN_IF_ERROR(CheckTime(command.time_ns));
  if (command.goal < 1 || command.goal > kMaxGoal) {
    return Status::InvalidArgument("goal must be 1.." + std::to_string(kMaxGoal) + ", got " +
                                   std::to_string(command.goal));
  }
  ASSIGN_OR_RETURN(InodeRecord record, op.RequireInode(command.inode));
  if (record.type != rpc::FileType::REGULAR && record.type != rpc::FileType::DIRECTORY) {
    return Status::InvalidArgument("only files and directories have a goal");
  }
  record.goal = command.goal;
  record.ctime_ns = command.time_ns;
  op.PutInode(record);
  ApplyResult result;
  result.attr = ToAttr(record);
  return result;
}

}  // namespace tessera::master
