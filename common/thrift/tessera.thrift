// Tessera wire protocol: the one place where master, chunk server and client meet.
//
// Conventions
// - Every failure is a TesseraError carrying an ErrorCode; the C++ side maps it to and from
//   tessera::Status in exactly one place (common/rpc_errors.h).
// - Inodes, chunk ids, versions, offsets and lengths are i64 and must be >= 0; the receiver
//   validates every field and answers INVALID_ARGUMENT otherwise.
// - Times are nanoseconds since the Unix epoch (UTC).
// - Names are 1..255 bytes, contain neither '/' nor NUL, and are not "." or "..".
// - Mutating master RPCs carry a RequestContext whose (client_id, sequence) pair identifies the
//   request, so that a retry after a master failover can be answered instead of applied twice.

namespace cpp tessera.rpc

enum ErrorCode {
  OK = 0,
  NOT_FOUND = 1,
  ALREADY_EXISTS = 2,
  NOT_DIRECTORY = 3,
  IS_DIRECTORY = 4,
  NOT_EMPTY = 5,
  INVALID_ARGUMENT = 6,
  NAME_TOO_LONG = 7,
  NO_SPACE = 8,
  IO_ERROR = 9,
  CORRUPTION = 10,
  NOT_LEADER = 11,
  STALE_VERSION = 12,
  PERMISSION_DENIED = 13,
  UNAVAILABLE = 14,
  INTERNAL = 15,
  NOT_PERMITTED = 16,      // EPERM: only the owner or root may do this
  // Extended attributes (24..27).
  NO_DATA = 24,            // no such extended attribute (ENODATA)
  NOT_SUPPORTED = 25,      // a namespace Tessera does not store: system.*, POSIX ACLs (EOPNOTSUPP)
  // File locks (30..34).
  WOULD_BLOCK = 30,        // another owner holds a conflicting lock (EAGAIN / EWOULDBLOCK)
  MOUNT_EXPIRED = 31,      // the mount was silent too long and lost its locks (ENOLCK)
  // Sizes (32..).
  FILE_TOO_LARGE = 32,     // a write, truncate or allocation past the largest file size (EFBIG)
}

exception TesseraError {
  1: ErrorCode code,
  2: string message,
  // With NOT_LEADER: "host:port" of the leader when the answering master knows it.
  3: string leader_hint,
}

enum FileType {
  REGULAR = 1,
  DIRECTORY = 2,
  SYMLINK = 3,
  FIFO = 4,                // made by mknod; holds no data on the cluster (pipes are local)
  SOCKET = 5,              // made by mknod / bind(); holds no data on the cluster
}

// Who is asking, and which request this is.
struct RequestContext {
  1: i64 client_id,        // random per client process, never 0
  2: i64 sequence,         // increases by one per mutating request of that client
  3: i32 uid,
  4: i32 gid,
  5: list<i32> groups,
  6: string request_id,    // travels into every log line about this request
}

struct Attr {
  1: i64 inode,
  2: FileType type,
  3: i32 mode,             // permission bits only (07777); the type is in `type`
  4: i32 uid,
  5: i32 gid,
  6: i64 size,
  7: i64 atime_ns,
  8: i64 mtime_ns,
  9: i64 ctime_ns,
  10: i32 nlink,
  11: i32 goal,            // replicas wanted for the file's chunks
  12: string symlink_target,
}

// Fields left unset are not changed. *_now asks the master to use its own clock.
struct SetAttrRequest {
  1: optional i32 mode,
  2: optional i32 uid,
  3: optional i32 gid,
  4: optional i64 size,
  5: optional i64 atime_ns,
  6: optional i64 mtime_ns,
  7: bool atime_now = false,
  8: bool mtime_now = false,
  // ftruncate: the size change comes through a descriptor opened for writing, whose write
  // permission was judged at open (POSIX), so the master does not judge it again against the
  // mode now. Trust model: as NFS AUTH_SYS, the mount is trusted to tell the truth about its
  // callers and their descriptors (it already is for prepareWrite/commitWrite).
  9: bool through_writable_handle = false,
  // The caller reached the inode through a name, not a descriptor of this mount: a file that
  // lost its last name (nlink 0, kept for descriptors elsewhere) answers NOT_FOUND, as its name
  // is gone, instead of being changed through a name another mount removed.
  10: bool require_name = false,
}

struct DirEntry {
  1: string name,
  2: i64 inode,
  3: FileType type,
  4: optional Attr attr,   // set when readdir was asked with_attrs and the caller may search
}

// Entries are in byte order of their names; a listing resumes after the last name returned.
struct ReaddirReply {
  1: list<DirEntry> entries,
  2: bool eof,
}

struct ChunkServerAddress {
  1: i64 server_id,
  2: string host,
  3: i32 port,
}

// One chunk of a file: chunk i covers bytes [i * 64 MiB, (i + 1) * 64 MiB).
struct ChunkInfo {
  1: i64 chunk_index,
  2: i64 chunk_id,
  3: i64 version,
  // Read: every live replica holding this version. Write: the chain, primary first.
  4: list<ChunkServerAddress> replicas,
}

struct StatfsReply {
  1: i64 total_bytes,
  2: i64 free_bytes,
  3: i64 inodes_used,
}

// ---- chunk server <-> master ----

struct ChunkReport {
  1: i64 chunk_id,
  2: i64 version,
  3: i64 length,
}

struct ChunkServerInfo {
  1: i64 server_id,        // chosen once by the chunk server and kept in its data directories
  2: string host,
  3: i32 port,
  4: string rack,          // failure domain label
}

struct ChunkServerStats {
  1: i64 total_bytes,
  2: i64 free_bytes,
  3: i64 chunk_count,
  4: i32 active_requests,
  5: i32 data_dirs_ok,
  6: i32 data_dirs_failed,
}

struct RegisterReply {
  1: i32 heartbeat_interval_ms,
}

struct HeartbeatReply {
  // Chunks this server must delete (their files were removed from the namespace).
  1: list<i64> delete_chunks,
  // True when the master does not know this server (e.g. it restarted): register again.
  2: bool reregister,
}

struct ChunkServerStatus {
  1: ChunkServerInfo info,
  2: ChunkServerStats stats,
  3: bool alive,
  4: i64 last_heartbeat_age_ms,
  // Being drained (`tessera decommission`): its replicas move to other servers.
  5: optional bool draining,
  // Replicas of live chunks the master knows on this server (stats.chunk_count is the server's
  // own count of chunk files); a drained server is done when both are 0.
  6: optional i64 chunks_known,
}

struct MasterStatus {
  1: string address,
  2: string role,          // "leader", "follower", "candidate", "learner" or "unreachable"
  3: i64 term,
  4: i64 applied_index,
  5: i64 id,               // the master's Raft node id
  6: bool voter,
  7: i64 match_index,      // as the leader knows it: the last log index this master holds
  8: i64 commit_index,     // the leader's own line only
  9: i64 last_index,       // the leader's own line only
}

// ---- master <-> master (Raft, master/raft/) ----
// Unsigned Raft numbers travel as i64 and must be >= 0; the receiver validates every field.

struct RaftEntry {
  1: i64 term,
  2: i64 index,
  3: i32 kind,             // 0 command, 1 noop, 2 membership
  4: binary data,
}

struct RaftMember {
  1: i64 id,
  2: string address,
}

struct RaftMembership {
  1: list<RaftMember> voters,
  2: list<RaftMember> learners,
}

struct RaftSnapshotMeta {
  1: i64 index,
  2: i64 term,
  3: RaftMembership membership,
}

// One Raft message; the fields each type uses are listed in master/raft/raft_types.h.
struct RaftMessage {
  1: i32 type,
  2: i64 from_id,
  3: i64 to_id,
  4: i64 term,
  5: i64 last_log_index,
  6: i64 last_log_term,
  7: bool leadership_transfer,
  8: i64 prev_log_index,
  9: i64 prev_log_term,
  10: list<RaftEntry> entries,
  11: i64 commit_index,
  12: bool reject,
  13: i64 match_index,
  14: i64 reject_index,
  15: i64 hint_index,
  16: i64 hint_term,
  17: i64 read_round,
  18: RaftSnapshotMeta snapshot,
  19: i64 offset,
  20: binary data,
  21: bool done,
  // Where the sender can be reached: lets a master that is not yet in any configuration (just
  // started with --join) answer the leader that is adding it.
  22: string from_address,
}

// A chunk that is not as healthy as its goal asks, for `tessera fsck`.
struct FsckChunk {
  1: string path,
  2: i64 inode,
  3: i64 chunk_index,
  4: i64 chunk_id,
  5: i32 live_copies,      // live replicas at the chunk's current version
  6: i32 goal,
  7: string state,         // "under goal" or "missing" (no live replica at all)
}

struct FsckReply {
  1: i64 files,
  2: i64 chunks,
  3: i64 chunks_under_goal,
  4: i64 chunks_missing,
  5: list<FsckChunk> problems,  // at most 1000, worst first
  6: bool truncated,             // more problems than listed
}

struct ClusterStatus {
  1: list<MasterStatus> masters,
  2: list<ChunkServerStatus> chunk_servers,
  3: i64 inode_count,
  4: i64 chunk_count,
  // Every server being drained, including any that has not registered with this leader yet.
  5: optional list<i64> draining_server_ids,
}

// ---- file locks ----
// POSIX record locks (fcntl) and flock locks are separate tables, as on Linux: one never
// conflicts with the other.
enum LockKind {
  POSIX = 1,
  FLOCK = 2,
}

enum LockType {
  READ = 1,                // F_RDLCK, LOCK_SH
  WRITE = 2,               // F_WRLCK, LOCK_EX
  UNLOCK = 3,              // F_UNLCK, LOCK_UN
}

// One lock, or one lock request. The owner is (mount_id, owner): the mount's random id and the
// kernel's lock owner within it. POSIX ranges are [start, start + length), length 0 meaning to
// the end of the file however far it grows; flock locks cover the whole file (start 0,
// length 0).
struct FileLock {
  1: i64 inode,
  2: i64 mount_id,         // > 0
  3: i64 owner,
  4: LockKind kind,
  5: LockType type,
  6: i64 start,            // >= 0
  7: i64 length,           // >= 0; start + length must not overflow
  8: i32 pid,              // the locking process, as F_GETLK reports it (0 when unknown)
}

struct SetLockReply {
  1: optional Attr attr,   // the file's attributes when a lock was granted (not for UNLOCK)
}

struct MountHeartbeatReply {
  // The mount was declared dead (silent longer than the master's mount timeout) and lost every
  // lock it held; it can take no new lock.
  1: bool expired,
}

// One copy of a chunk as the leader knows it, for `tessera fileinfo`.
struct FileReplica {
  1: i64 server_id,
  2: string address,       // "host:port" of the server
  3: i64 version,          // the version the server reported for this chunk
  // "live": alive and at the chunk's version; "stale": an older version (it will be deleted);
  // "dead": the server misses its heartbeats.
  4: string state,
  5: bool draining,        // the server is being decommissioned: the copy moves away
}

// One chunk of a file, for `tessera fileinfo`.
struct FileChunk {
  1: i64 chunk_index,
  2: i64 chunk_id,
  3: i64 version,
  4: i64 length,           // bytes of the file that lie in this chunk (from the file size)
  5: i32 live_copies,
  6: list<FileReplica> replicas,  // in server id order
}

struct FileInfoReply {
  1: string path,          // as resolved: no empty or trailing components
  2: i64 inode,
  3: i64 size,
  4: i32 goal,
  5: list<FileChunk> chunks,      // in chunk index order; holes are absent; at most 10000
  6: bool truncated,              // the file has more chunks than listed
}

// ---- balancing (`tessera balance`, master/balancer.h) ----
// "use" is used / capacity of a chunk server's disk (statfs), in percent; the mean is over the
// live chunk servers that are not draining (total used / total capacity).
struct BalanceStatus {
  // "idle" (never started under this leader), "running", "done" (every server within the
  // threshold) or "stopped" (stopBalance). A new leader starts "idle": the caller starts again.
  1: string state,
  2: bool automatic,              // the master balances by itself (--auto-balance-threshold)
  3: double threshold_pct,        // of the operator's balance (the automatic one when idle)
  4: i64 bandwidth_bytes_per_sec, // 0: no cap beyond the chunk servers' --replication-mbps
  5: double mean_use_pct,
  6: double max_deviation_pct,    // the farthest server's distance from the mean
  7: i64 bytes_moved,             // by the operator's balance since it started
  8: i64 bytes_remaining,         // estimate of what must still move to be within the threshold
  9: i64 moves_done,
  10: i64 moves_failed,
  11: i64 elapsed_ms,             // since the operator's balance started
  12: string last_error,          // of the last failed move, or why nothing could move
}

service MasterService {
  // ---- namespace ----
  Attr lookup(1: RequestContext ctx, 2: i64 parent, 3: string name) throws (1: TesseraError err),
  Attr getattr(1: RequestContext ctx, 2: i64 inode) throws (1: TesseraError err),
  Attr setattr(1: RequestContext ctx, 2: i64 inode, 3: SetAttrRequest request)
      throws (1: TesseraError err),
  Attr mkdir(1: RequestContext ctx, 2: i64 parent, 3: string name, 4: i32 mode)
      throws (1: TesseraError err),
  Attr create(1: RequestContext ctx, 2: i64 parent, 3: string name, 4: i32 mode)
      throws (1: TesseraError err),
  // with_attrs: also each entry's attributes (FUSE readdirplus), when the caller has search
  // permission on the directory as well as read; without it the entries come without.
  ReaddirReply readdir(1: RequestContext ctx, 2: i64 inode, 3: string after_name,
                       4: i32 max_entries, 5: bool with_attrs = false)
      throws (1: TesseraError err),
  void unlink(1: RequestContext ctx, 2: i64 parent, 3: string name) throws (1: TesseraError err),
  void rmdir(1: RequestContext ctx, 2: i64 parent, 3: string name) throws (1: TesseraError err),
  // flags: 0, or Linux's renameat2 values RENAME_NOREPLACE (1: ALREADY_EXISTS when new_name
  // exists) or RENAME_EXCHANGE (2: both names must exist and swap their inodes atomically).
  void rename(1: RequestContext ctx, 2: i64 old_parent, 3: string old_name, 4: i64 new_parent,
              5: string new_name, 6: i32 flags) throws (1: TesseraError err),
  StatfsReply statfs(1: RequestContext ctx) throws (1: TesseraError err),

  // Replicas wanted for a file's chunks, or, on a directory, for what is created in it from now
  // on (1..16). The master adds or drops replicas of existing chunks to match.
  Attr setGoal(1: RequestContext ctx, 2: i64 inode, 3: i32 goal) throws (1: TesseraError err),
  // ---- file data ----
  // Chunks [first_index, first_index + count) that exist; missing indexes are holes.
  list<ChunkInfo> getChunks(1: RequestContext ctx, 2: i64 inode, 3: i64 first_index, 4: i32 count)
      throws (1: TesseraError err),
  // The chain to write chunk_index of inode, allocating the chunk (and placing its replicas on
  // `goal` distinct live chunk servers) when it does not exist yet.
  ChunkInfo prepareWrite(1: RequestContext ctx, 2: i64 inode, 3: i64 chunk_index)
      throws (1: TesseraError err),
  // After data up to end_offset was acknowledged by every replica: size = max(size, end_offset),
  // mtime = ctime = mtime_ns.
  Attr commitWrite(1: RequestContext ctx, 2: i64 inode, 3: i64 end_offset, 4: i64 mtime_ns)
      throws (1: TesseraError err),
  // Every namespace change acknowledged before this call is on stable storage when it returns.
  // Mutations are acknowledged once applied (they survive kill -9 of the master); fsync() and
  // fsyncdir() call this so that they also survive a power loss, as on a local file system.
  void syncMetadata(1: RequestContext ctx) throws (1: TesseraError err),

  // A replica of chunk_id on server_id answered a read with CORRUPTION (a block failed its
  // checksum). The master stops counting that copy and tells its server to delete it; the
  // replication manager makes a new copy from a good one. The last good-looking copy is kept.
  void reportCorruptReplica(1: RequestContext ctx, 2: i64 chunk_id, 3: i64 server_id)
      throws (1: TesseraError err),
  // ---- chunk servers ----
  RegisterReply registerChunkServer(1: ChunkServerInfo info, 2: list<ChunkReport> chunks)
      throws (1: TesseraError err),
  HeartbeatReply heartbeat(1: i64 server_id, 2: ChunkServerStats stats,
                           3: list<ChunkReport> added, 4: list<i64> removed)
      throws (1: TesseraError err),

  // ---- masters ----
  // Raft messages from another master of the group, in the order they were sent. One-way: Raft
  // tolerates loss, and a sender must never wait for a slow peer.
  oneway void raftDeliver(1: list<RaftMessage> messages),
  // ---- operators ----
  // Answered by the leader (NOT_LEADER elsewhere): masters, chunk servers, counts.
  ClusterStatus clusterStatus() throws (1: TesseraError err),
  // The health of every chunk of every file under `path` ("/" for all), as the leader knows it.
  FsckReply fsck(1: RequestContext ctx, 2: string path) throws (1: TesseraError err),
  // Adds a master to the Raft group: it catches up as a learner, then becomes a voter.
  // Returns when the change committed (the promotion follows by itself).
  void addMaster(1: i64 id, 2: string address) throws (1: TesseraError err),
  void removeMaster(1: i64 id) throws (1: TesseraError err),
  // Drains chunk server `server_id`: placement stops choosing it and every replica it holds is
  // copied elsewhere, then dropped from it; it serves reads meanwhile. The state survives a
  // master failover. Progress: ClusterStatus (draining, chunks_known). NOT_FOUND for a server
  // that never registered; starting again is harmless.
  void startDecommission(1: RequestContext ctx, 2: i64 server_id) throws (1: TesseraError err),
  // Stops draining: the server takes new replicas again. NOT_FOUND when it is not draining.
  void cancelDecommission(1: RequestContext ctx, 2: i64 server_id) throws (1: TesseraError err),
  // Hands leadership to master `id` (0: the most up-to-date one); returns when this master has
  // sent the hand-over (the new leader is elected within an election timeout).
  void transferLeader(1: i64 id) throws (1: TesseraError err),

  // ---- links and special files (after the POSIX issue's first RPCs) ----
  // A hard link: `new_name` in `new_parent` names the existing non-directory `inode`, whose
  // nlink grows by one (unlink drops it; the inode goes with its last link).
  Attr link(1: RequestContext ctx, 2: i64 inode, 3: i64 new_parent, 4: string new_name)
      throws (1: TesseraError err),
  // A symbolic link holding `target` (1..4095 bytes, no NUL); its size is the target's length.
  Attr symlink(1: RequestContext ctx, 2: i64 parent, 3: string name, 4: string target)
      throws (1: TesseraError err),
  // A FIFO or socket node (type FIFO or SOCKET; other types: INVALID_ARGUMENT).
  Attr mknod(1: RequestContext ctx, 2: i64 parent, 3: string name, 4: FileType type, 5: i32 mode)
      throws (1: TesseraError err),
  // access(2) for the caller of ctx: PERMISSION_DENIED unless it has every bit of mask
  // (4 read, 2 write, 1 search/execute; 0 only asks that the inode exists) on inode. Answers
  // the inode's attributes as they were when judged, so that an open costs one round trip.
  Attr access(1: RequestContext ctx, 2: i64 inode, 3: i32 mask) throws (1: TesseraError err),
  // ---- extended attributes ----
  // Names are "user.", "trusted.", "security." + 1.. bytes, 255 bytes at most; values up to
  // 64 KiB; at most 256 KiB of names and values per inode (NO_SPACE beyond). flags: 0,
  // XATTR_CREATE (1: ALREADY_EXISTS when present) or XATTR_REPLACE (2: NO_DATA when absent).
  // system.* (POSIX ACLs included) is NOT_SUPPORTED. Access as Linux checks it (xattr(7)):
  // trusted.* and writing security.* need root (NOT_PERMITTED); user.* only on regular files and
  // directories, by the mode bits. Setting or removing moves the inode's ctime.
  void setXattr(1: RequestContext ctx, 2: i64 inode, 3: string name, 4: binary value,
                5: i32 flags) throws (1: TesseraError err),
  binary getXattr(1: RequestContext ctx, 2: i64 inode, 3: string name)
      throws (1: TesseraError err),
  // Names in byte order; trusted.* only for root.
  list<string> listXattrs(1: RequestContext ctx, 2: i64 inode) throws (1: TesseraError err),
  void removeXattr(1: RequestContext ctx, 2: i64 inode, 3: string name)
      throws (1: TesseraError err),
  // ---- O_APPEND ----
  // Reserves the `length` bytes at the current end of a regular file for an append: the leader
  // serializes every reservation of the cluster, reads the size and commits size + length (as
  // commitWrite, mtime = ctime = mtime_ns) before the next one, so appends from any number of
  // clients get disjoint ranges. Answers the file's attributes after the reservation; the range
  // is [size - length, size). The writer then writes there and commits as usual.
  Attr reserveAppend(1: RequestContext ctx, 2: i64 inode, 3: i64 length, 4: i64 mtime_ns)
      throws (1: TesseraError err),

  // ---- atime (issue 5: caching) ----
  // The caller read the regular file `inode` and the mount's atime rule (relatime or
  // strictatime) asks for an update: atime becomes the master's time unless it is later already.
  // Neither ctime nor mtime changes, so caches keyed on them stay valid. PERMISSION_DENIED when
  // the caller may not read the file now.
  Attr touchAtime(1: RequestContext ctx, 2: i64 inode) throws (1: TesseraError err),
  // Unlinked files still open: mount `mount_id` (> 0, random per mount process) holds `inodes`
  // (each > 0, at most 10000; more go in several calls) open now. A mount holding files open
  // sends this to the leader about once a second; an unlinked file that no report names for
  // the leader's grace period is freed. Soft state on the leader: NOT_LEADER elsewhere.
  void reportOpenFiles(1: RequestContext ctx, 2: i64 mount_id, 3: list<i64> inodes)
  // ---- file locks (FileLock above) ----
  // Sets, changes or removes (type UNLOCK) a lock of lock.owner without waiting: WOULD_BLOCK
  // when another owner holds a conflicting lock (nothing changes then), MOUNT_EXPIRED when the
  // mount lost its locks. A blocking lock (F_SETLKW) is the client asking again. Any request
  // counts as a heartbeat of the mount.
  SetLockReply setLock(1: RequestContext ctx, 2: FileLock lock) throws (1: TesseraError err),
  // F_GETLK: the first lock of another owner that conflicts with `lock`; type UNLOCK when none.
  FileLock getLock(1: RequestContext ctx, 2: FileLock lock) throws (1: TesseraError err),
  // A mount holding locks calls this about every second; one silent for longer than the
  // leader's --mount-timeout-ms loses all its locks.
  MountHeartbeatReply mountHeartbeat(1: RequestContext ctx, 2: i64 mount_id)
      throws (1: TesseraError err),

  // ---- operators (issue 6) ----
  // Every chunk of the regular file at absolute `path`: id, version, length and each replica
  // the leader knows with its state. Leader only (NOT_LEADER elsewhere); NOT_FOUND when the
  // path does not exist, IS_DIRECTORY / INVALID_ARGUMENT when it is not a regular file.
  FileInfoReply fileInfo(1: RequestContext ctx, 2: string path) throws (1: TesseraError err),
  // ---- balancing (issue 6, master/balancer.h) ----
  // Moves replicas from the fullest to the emptiest chunk servers until every live server that
  // is not draining has a use within `threshold_pct` (0 < x <= 50) percentage points of the
  // mean, never lowering a chunk below its goal; `bandwidth_bytes_per_sec` (0: no cap, else up
  // to 10 GB/s) caps the average rate of the moves. Starting again replaces the parameters and
  // the counts. Soft state of the leader: progress in balanceStatus.
  void startBalance(1: RequestContext ctx, 2: double threshold_pct,
                    3: i64 bandwidth_bytes_per_sec) throws (1: TesseraError err),
  // Stops the operator's balance after the moves running now; NOT_FOUND when none runs.
  void stopBalance(1: RequestContext ctx) throws (1: TesseraError err),
  BalanceStatus balanceStatus() throws (1: TesseraError err),
}

struct WriteChunkRequest {
  1: i64 chunk_id,
  2: i64 version,
  3: i64 offset,           // within the chunk; offset + len(data) <= 64 MiB
  4: binary data,
  // Replicas after this one, in order. The receiver forwards the same request with the head
  // removed, and answers only when it and every downstream replica applied the write.
  5: list<ChunkServerAddress> downstream,
  6: bool sync,            // fsync the chunk file before answering
  7: string request_id,
}

struct ReadChunkRequest {
  1: i64 chunk_id,
  2: i64 version,          // the version the master named; an older replica answers STALE_VERSION
  3: i64 offset,
  4: i32 length,           // <= 4 MiB
  5: string request_id,
}

struct SyncChunkRequest {
  1: i64 chunk_id,
  2: i64 version,
  3: list<ChunkServerAddress> downstream,
  4: string request_id,
}

// Asks a chunk server to copy a chunk it does not hold (re-replication, draining).
struct ReplicateChunkRequest {
  1: i64 chunk_id,
  2: i64 version,          // the version to copy; a source holding another one is skipped
  3: list<ChunkServerAddress> sources,  // live replicas to copy from, tried in order
  4: string request_id,
}

struct ReplicateChunkReply {
  1: i64 length,           // of the chunk now held here
  2: i64 bytes_copied,     // 0 when this server already held the chunk at that version
}

service ChunkServerService {
  void writeChunk(1: WriteChunkRequest request) throws (1: TesseraError err),
  // Bytes [offset, min(offset + length, chunk length)); fewer than asked only at the end of the
  // chunk. Every 64 KiB block returned is verified against its checksum first.
  binary readChunk(1: ReadChunkRequest request) throws (1: TesseraError err),
  // fsync the chunk file on this replica and every downstream one.
  void syncChunk(1: SyncChunkRequest request) throws (1: TesseraError err),
  ChunkServerStats stats() throws (1: TesseraError err),
  // Copies the chunk from one of the sources (reading it with readChunk, so every block is
  // verified on the way) into this server, and answers once the copy is complete and durable
  // here and will be in this server's next chunk report. A partial copy is never visible:
  // neither served nor reported. Idempotent: a server that holds the chunk at that version
  // answers at once.
  ReplicateChunkReply replicateChunk(1: ReplicateChunkRequest request)
      throws (1: TesseraError err),
}
