// One function per log command, each in its own file under master/ops/.
//
// Each validates the command against the current state and records its changes in the
// OpContext's batch; it never writes the store itself, reads no clock and picks no id (all of
// that is in the command), so applying the same command to the same state always gives the same
// batch. On error nothing of the op's batch may be kept (the state machine discards it).
// Semantics are POSIX's as noted in each file.
#pragma once

#include <optional>
#include <string>

#include "common/status.h"
#include "master/apply_result.h"
#include "master/ops/op_context.h"
#include "master/xattr_rules.h"

namespace tessera::master {

Result<ApplyResult> ApplyInitRoot(OpContext& op, const master_state::InitRootCommand& command);
Result<ApplyResult> ApplyMkdir(OpContext& op, const master_state::MkdirCommand& command);
Result<ApplyResult> ApplyCreate(OpContext& op, const master_state::CreateCommand& command);
Result<ApplyResult> ApplyUnlink(OpContext& op, const master_state::UnlinkCommand& command);
Result<ApplyResult> ApplyRmdir(OpContext& op, const master_state::RmdirCommand& command);
Result<ApplyResult> ApplyRename(OpContext& op, const master_state::RenameCommand& command);
Result<ApplyResult> ApplySetAttr(OpContext& op, const master_state::SetAttrCommand& command);
Result<ApplyResult> ApplyAllocateChunk(OpContext& op,
                                       const master_state::AllocateChunkCommand& command);
Result<ApplyResult> ApplyCommitWrite(OpContext& op,
                                     const master_state::CommitWriteCommand& command);
Result<ApplyResult> ApplySetGoal(OpContext& op, const master_state::SetGoalCommand& command);
Result<ApplyResult> ApplyBumpChunkVersion(OpContext& op,
                                          const master_state::BumpChunkVersionCommand& command);
Result<ApplyResult> ApplySetServerDraining(OpContext& op,
                                           const master_state::SetServerDrainingCommand& command);
Result<ApplyResult> ApplySetXattr(OpContext& op, const master_state::SetXattrCommand& command);
Result<ApplyResult> ApplyRemoveXattr(OpContext& op,
                                     const master_state::RemoveXattrCommand& command);

// For set_xattr and remove_xattr (ops/xattr_change.cc): checks the command's common fields, that
// the inode exists and that `caller` may write `name` on it; returns the inode's record and the
// attribute's current value.
struct XattrChange {
  InodeRecord inode;
  std::optional<std::string> existing;
};
Result<XattrChange> PrepareXattrChange(const OpContext& op, int64_t inode, const std::string& name,
                                       const XattrCaller& caller, int64_t time_ns);
// Records the change's ctime on `inode` and returns its attributes.
ApplyResult FinishXattrChange(OpContext& op, InodeRecord& inode, int64_t time_ns);

// For commands that add a new inode under `name` in `parent` (mkdir, create): checks that the
// parent is a directory, the name valid and free, and the proposer's inode number unused, and
// returns the parent's record.
Result<InodeRecord> PrepareNewEntry(OpContext& op, int64_t parent, const std::string& name,
                                    int64_t inode);
// Records `child`, its entry `name` in `parent`, and the parent's new mtime/ctime. A caller
// adding a directory raises parent.nlink first.
void LinkNewInode(OpContext& op, InodeRecord& parent, const std::string& name,
                  const InodeRecord& child, int64_t time_ns);

// Shared checks of command fields.
Status CheckMode(int32_t mode);
Status CheckTime(int64_t time_ns);
Status CheckInodeNumber(int64_t inode);
// A new inode number from the proposer must be unused.
Status CheckInodeUnused(const OpContext& op, int64_t inode);

}  // namespace tessera::master
