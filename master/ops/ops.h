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
#include "master/permissions.h"
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
Result<ApplyResult> ApplySetBalance(OpContext& op, const master_state::SetBalanceCommand& command);
Result<ApplyResult> ApplyMknod(OpContext& op, const master_state::MknodCommand& command);
Result<ApplyResult> ApplyLink(OpContext& op, const master_state::LinkCommand& command);
// The RENAME_EXCHANGE case of ApplyRename (rename_exchange.cc).
Result<ApplyResult> ApplyRenameExchange(OpContext& op, const master_state::RenameCommand& command);
Result<ApplyResult> ApplySetXattr(OpContext& op, const master_state::SetXattrCommand& command);
Result<ApplyResult> ApplyRemoveXattr(OpContext& op,
                                     const master_state::RemoveXattrCommand& command);
Result<ApplyResult> ApplyTouchAtime(OpContext& op, const master_state::TouchAtimeCommand& command);
// Fails as a whole (changing nothing) unless every listed inode is unlinked.
inline constexpr size_t kMaxInodesPerFree = 1000;
Result<ApplyResult> ApplyFreeUnlinkedInode(OpContext& op,
                                           const master_state::FreeUnlinkedInodeCommand& command);

// For unlink and rename over a name (ops/unlinked_inode.cc): `target`, a non-directory, loses the
// name it had with nlink 1. A regular file stays, unnamed (nlink 0, an UnlinkedInodeRecord),
// with its chunks, for mounts that still hold it open; anything else is removed at once.
// Returns the chunk ids freed now.
Result<std::vector<int64_t>> RemoveLastLink(OpContext& op, InodeRecord target, int64_t time_ns);
// File locks (set_lock.cc, expire_mount.cc).
Result<ApplyResult> ApplySetLock(OpContext& op, const master_state::SetLockCommand& command);
Result<ApplyResult> ApplyExpireMount(OpContext& op,
                                     const master_state::ExpireMountCommand& command);

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
// For commands adding an inode of `type` and `mode`, owned by uid/gid, to `parent`: checks that
// the caller (when the command has one) may add entries to it, and returns the gid and mode
// the new inode takes (a setgid parent passes its group; permissions.h).
Result<NewOwnership> AuthorizeNewEntry(const std::optional<Credentials>& caller, int32_t uid,
                                       int32_t gid, const InodeRecord& parent, int32_t type,
                                       int32_t mode);

// Shared checks of command fields.
Status CheckMode(int32_t mode);
Status CheckTime(int64_t time_ns);
Status CheckInodeNumber(int64_t inode);
// A new inode number from the proposer must be unused.
Status CheckInodeUnused(const OpContext& op, int64_t inode);
// kInvalidArgument when directory `dir` is directory `moved` or lies below it (rename.cc).
Status CheckNotInsideMoved(const OpContext& op, int64_t dir, int64_t moved);

// The one or two directories a rename changes, each loaded once (rename.cc).
struct RenameParents {
  InodeRecord old_dir;
  InodeRecord other_dir;  // new_parent's record; unused when same_dir
  bool same_dir = false;
  InodeRecord& new_dir() { return same_dir ? old_dir : other_dir; }
};
// NotFound / NotDirectory when either parent is missing or no directory.
Result<RenameParents> LoadRenameParents(const OpContext& op,
                                        const master_state::RenameCommand& command);
// Gives both parents mtime = ctime = time_ns and writes them.
void PutRenameParents(OpContext& op, RenameParents& parents, int64_t time_ns);

// The credentials of a command's caller (`has_caller` is the command's __isset.caller); nullopt
// for a command the master issued itself, which is applied without permission checks.
std::optional<Credentials> CallerCredentials(bool has_caller, const master_state::Caller& caller);
// As CallerCredentials, but a command the master issued itself acts as root: for the rules that
// have no "unchecked" mode because they decide what is visible (xattr namespaces).
Credentials CallerCredentialsOrRoot(bool has_caller, const master_state::Caller& caller);

}  // namespace tessera::master
