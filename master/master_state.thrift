// The master's own state: on-disk records and the commands of the replicated log.
//
// Nothing here travels between parts; it is the master's private storage and log format.
// Records and commands are serialized with Thrift's binary protocol (master/records.h).
//
// Determinism: applying a MetaCommand must give the same result on every replica, so the
// proposer (the leader) fills in everything that is not a pure function of the state before
// the command is logged: new inode numbers, chunk ids and times (`time_ns`). Apply never reads
// a clock and never picks an id.

namespace cpp tessera.master_state

// File types use the numbers of rpc::FileType (1 regular, 2 directory, 3 symlink, 4 FIFO,
// 5 socket).

// Key "I" + inode (big-endian).
struct InodeRecord {
  1: i64 inode,
  2: i32 type,
  3: i32 mode,
  4: i32 uid,
  5: i32 gid,
  6: i64 size,
  7: i64 atime_ns,
  8: i64 mtime_ns,
  9: i64 ctime_ns,
  10: i32 nlink,
  11: i32 goal,
  12: string symlink_target,
  // Directories only: the directory holding this one (the root is its own parent). Lets rename
  // refuse to move a directory into its own subtree by walking up.
  13: i64 parent,
}

// Key "D" + parent (big-endian) + name bytes: entries of a directory sort by name.
struct DentryRecord {
  1: i64 inode,
  2: i32 type,
}

// Key "C" + inode (big-endian) + chunk index (big-endian).
struct ChunkRecord {
  1: i64 chunk_id,
  2: i64 version,
}

// Key "R" + server id (big-endian): a chunk server being drained (`tessera decommission`).
// Its replicas are moved to other servers; placement gives it nothing new.
struct DrainingServerRecord {
  1: i64 server_id,
  2: i64 since_ns,         // when draining started (the proposer's clock)
}

// Key "U" + inode (big-endian): a regular file whose last name went (unlink, rename over it)
// while it may still be open on some mount. Its inode record stays, with nlink 0, and keeps its
// chunks until the leader frees it with a FreeUnlinkedInodeCommand once no mount has reported
// it open for a grace period (master/unlinked_inode_reaper.h).
struct UnlinkedInodeRecord {
  1: i64 inode,
  2: i64 unlinked_ns,      // the time_ns of the command that removed the last name
}

// Key "B": the operator's balance (`tessera balance`, master/balancer.h), so that a new leader
// goes on with it. Absent until the first start.
struct BalanceRecord {
  1: string state,                 // "running", "done" or "stopped"
  2: double threshold_pct,         // 0 < x <= 50 (master/balance_request.h)
  3: i64 bandwidth_bytes_per_sec,  // 0: no cap
  4: i64 since_ns,                 // when it was started (the proposer's clock)
}

// Key "X" + inode (big-endian) + name bytes -> the value bytes as they are (no record around
// them): one extended attribute. An inode's attributes sort by name.

// ---- commands ----

// Who asked for a command, for the permission checks of master/permissions.h. A command
// without one comes from the master itself (or from a log written before permissions were
// checked) and is applied unchecked. Field id 30 in every command that carries it.
struct Caller {
  1: i32 uid,
  2: i32 gid,
  3: list<i32> groups,
}

// Creates the root directory (inode 1) when the namespace is empty.
struct InitRootCommand {
  1: i32 mode,
  2: i64 time_ns,
}

struct MkdirCommand {
  1: i64 parent,
  2: string name,
  3: i32 mode,
  4: i32 uid,
  5: i32 gid,
  6: i64 inode,            // chosen by the proposer
  7: i64 time_ns,
  30: optional Caller caller,
}

struct CreateCommand {
  1: i64 parent,
  2: string name,
  3: i32 mode,
  4: i32 uid,
  5: i32 gid,
  6: i32 goal,
  7: i64 inode,            // chosen by the proposer
  8: i64 time_ns,
  30: optional Caller caller,
}

struct UnlinkCommand {
  1: i64 parent,
  2: string name,
  3: i64 time_ns,
  30: optional Caller caller,
}

struct RmdirCommand {
  1: i64 parent,
  2: string name,
  3: i64 time_ns,
  30: optional Caller caller,
}

struct RenameCommand {
  1: i64 old_parent,
  2: string old_name,
  3: i64 new_parent,
  4: string new_name,
  5: i64 time_ns,
  // 0, or rpc's rename flags: 1 RENAME_NOREPLACE, 2 RENAME_EXCHANGE (tessera.thrift).
  6: i32 flags = 0,
  30: optional Caller caller,
}

// A node without data: a symlink (holding symlink_target), a FIFO or a socket.
struct MknodCommand {
  1: i64 parent,
  2: string name,
  3: i32 type,             // rpc::FileType SYMLINK, FIFO or SOCKET
  4: i32 mode,
  5: i32 uid,
  6: i32 gid,
  7: string symlink_target,  // SYMLINK only
  8: i64 inode,            // chosen by the proposer
  9: i64 time_ns,
  30: optional Caller caller,
}

// A hard link: new_name in new_parent names the existing non-directory `inode` too.
struct LinkCommand {
  1: i64 inode,
  2: i64 new_parent,
  3: string new_name,
  4: i64 time_ns,
  30: optional Caller caller,
}

// Unset optional fields are not changed. "Now" means the entry's time_ns, set by the proposer.
struct SetAttrCommand {
  1: i64 inode,
  2: optional i32 mode,
  3: optional i32 uid,
  4: optional i32 gid,
  5: optional i64 size,
  6: optional i64 atime_ns,
  7: optional i64 mtime_ns,
  8: i64 time_ns,          // the new ctime
  // Set atime / mtime to time_ns (utimensat's UTIME_NOW).
  9: bool atime_now = false,
  10: bool mtime_now = false,
  // ftruncate through a descriptor opened for writing: write permission was judged at open
  // (rpc::SetAttrRequest.through_writable_handle), so a size change skips CheckTruncate.
  11: bool through_writable_handle = false,
  // rpc::SetAttrRequest.require_name: NOT_FOUND when the inode has no name left.
  12: bool require_name = false,
  30: optional Caller caller,
}

// Adds chunk `chunk_index` of `inode` unless it exists already (then the existing one is kept,
// so two racing writers end up with the same chunk).
struct AllocateChunkCommand {
  1: i64 inode,
  2: i64 chunk_index,
  3: i64 chunk_id,         // chosen by the proposer
  4: i64 version,
}

// Gives chunk `chunk_index` of `inode` a new version, when it still is (chunk_id, from_version).
// Used when a chunk must be placed anew: replicas holding an older version are then stale and
// never served (DESIGN.md, write leases and versions).
struct BumpChunkVersionCommand {
  1: i64 inode,
  2: i64 chunk_index,
  3: i64 chunk_id,
  4: i64 from_version,
  5: i64 to_version,
}

// Sets the goal (replicas wanted) of a file or directory. A directory's goal is inherited by
// what is created in it afterwards; the replication manager adds or drops replicas to match.
struct SetGoalCommand {
  1: i64 inode,
  2: i32 goal,
  3: i64 time_ns,          // the new ctime, set by the proposer
}

// Starts (draining = true) or stops draining chunk server `server_id`. Starting again keeps the
// first start time; stopping a server that is not draining is kNotFound.
struct SetServerDrainingCommand {
  1: i64 server_id,
  2: bool draining,
  3: i64 time_ns,          // set by the proposer
}

struct CommitWriteCommand {
  1: i64 inode,
  2: i64 end_offset,
  3: i64 mtime_ns,         // from the writer: mtime = ctime = this
  30: optional Caller caller,
}

// Sets extended attribute `name` of `inode` (master/ops/set_xattr.cc). The caller's identity
// travels in the command so that the access check is part of the deterministic apply.
struct SetXattrCommand {
  1: i64 inode,
  2: string name,
  3: binary value,
  4: i32 flags,            // bits XATTR_CREATE (1) and XATTR_REPLACE (2)
  // 5..7: unused (the caller's uid, gid and groups before they moved into `caller`).
  8: i64 time_ns,          // the new ctime, set by the proposer
  30: optional Caller caller,  // unset: the master itself, which may touch every namespace
}

struct RemoveXattrCommand {
  1: i64 inode,
  2: string name,
  // 3..5: unused (the caller's uid, gid and groups before they moved into `caller`).
  6: i64 time_ns,          // the new ctime, set by the proposer
  30: optional Caller caller,  // unset: the master itself, which may touch every namespace
}

// A read moved the access time of a regular file (relatime/strictatime decided by the mount):
// atime = max(atime, time_ns). ctime stays, as for a local file system's atime update.
struct TouchAtimeCommand {
  1: i64 inode,
  2: i64 time_ns,          // set by the proposer
  30: optional Caller caller,
}

// Removes an unlinked inode (UnlinkedInodeRecord) with its chunks and attributes. kNotFound when
// the inode is not (or no longer) unlinked. Proposed by the leader only.
// Frees unlinked inodes in one entry: after `rm -rf` of a large tree the leader frees thousands
// at once, and one fsync'd entry each would hold up the clients' own changes.
struct FreeUnlinkedInodeCommand {
  // 1: unused (one inode per command before frees were batched).
  2: list<i64> inodes,     // 1..kMaxInodesPerFree distinct inodes, each unlinked
}

// Key "Lr" + inode (BE) + kind (1 byte) + mount id (BE) + owner (BE) + start (BE): one lock
// (master/lock_table.h). Key "Lm" + mount id (BE) + inode (BE) -> "": the mount holds at least
// one lock on the inode. Key "Lx" + mount id (BE) -> ExpiredMountRecord.
struct LockRecord {
  1: i32 type,             // rpc::LockType READ or WRITE
  2: i64 last,             // last byte covered, inclusive; INT64_MAX: to the end of the file
  3: i32 pid,
}

struct ExpiredMountRecord {
  1: i64 time_ns,          // when the leader declared it dead
}

// Sets, changes or removes one lock (rpc::FileLock, validated by the RPC edge and again here).
struct SetLockCommand {
  1: i64 inode,
  2: i64 mount_id,
  3: i64 owner,
  4: i32 kind,             // rpc::LockKind
  5: i32 type,             // rpc::LockType
  6: i64 start,
  7: i64 last,             // inclusive; INT64_MAX: to the end of the file
  8: i32 pid,
}

// A mount was silent longer than the mount timeout: every lock it holds is released and it
// may take no new lock. Issued by the leader itself.
struct ExpireMountCommand {
  1: i64 mount_id,
  2: i64 time_ns,          // set by the proposer
}

// Exactly one member is set.
// Starts (state "running", replacing any earlier balance), or ends ("done", "stopped") the
// operator's balance (BalanceRecord). Ending one that is not running is kNotFound.
struct SetBalanceCommand {
  1: string state,
  2: double threshold_pct,         // with "running"
  3: i64 bandwidth_bytes_per_sec,  // with "running"
  4: i64 time_ns,                  // set by the proposer
}

union MetaCommand {
  1: InitRootCommand init_root,
  2: MkdirCommand mkdir,
  3: CreateCommand create,
  4: UnlinkCommand unlink,
  5: RmdirCommand rmdir,
  6: RenameCommand rename,
  7: SetAttrCommand set_attr,
  8: AllocateChunkCommand allocate_chunk,
  9: CommitWriteCommand commit_write,
  10: BumpChunkVersionCommand bump_chunk_version,
  11: SetGoalCommand set_goal,
  12: SetServerDrainingCommand set_server_draining,
  // 40..49: names and links (hard links, symlinks, special files).
  40: MknodCommand mknod,
  41: LinkCommand link,
  // Extended attributes (50..59).
  50: SetXattrCommand set_xattr,
  51: RemoveXattrCommand remove_xattr,
  // File locks (60..69).
  60: SetLockCommand set_lock,
  61: ExpireMountCommand expire_mount,
  // Unlinked files still open (70..79).
  70: FreeUnlinkedInodeCommand free_unlinked_inode,
  // 80..89: caching and atime.
  80: TouchAtimeCommand touch_atime,
  // Balancing (95..99).
  95: SetBalanceCommand set_balance,
}

// ---- the replicated log ----

// The payload of one command entry of the Raft log: a namespace command and, for commands that
// a client asked for, who asked. (client_id, sequence) lets the state machine answer a retry
// after a failover with the first reply instead of applying the command twice.
struct LogCommand {
  1: i64 client_id,        // 0: issued by the master itself, no session
  2: i64 sequence,
  3: MetaCommand command,
}

// Key "S" + client id (big-endian): the last request of one client session and its reply.
// A client id has at most one mutating request in flight (client/request_context.h), so the
// last reply is all a retry can ask for.
struct SessionRecord {
  1: i64 sequence,
  2: i32 status_code,      // tessera::StatusCode of the outcome
  3: string status_message,
  4: optional binary attr, // rpc::Attr of the reply, binary-encoded
  5: optional ChunkRecord chunk,
  6: bool chunk_created,
}
