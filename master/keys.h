// LevelDB key layout of the master state.
//
//   "I" + inode (8 bytes big-endian)                  -> InodeRecord
//   "D" + parent (8 bytes big-endian) + name bytes    -> DentryRecord   (entries sort by name)
//   "C" + inode (8 bytes big-endian) + index (8 BE)   -> ChunkRecord    (chunks sort by index)
//   "S" + client id (8 bytes big-endian)              -> SessionRecord  (last reply per client)
//   "R" + server id (8 bytes big-endian)              -> DrainingServerRecord (being drained)
//   "M" + meta name                                   -> 8 bytes big-endian counter
//   "X" + inode (8 bytes big-endian) + name bytes     -> xattr value bytes (sort by name)
//   "U" + inode (8 bytes big-endian)                  -> UnlinkedInodeRecord (open, no name)
//   "Lr" + inode + kind (1 byte) + mount + owner + start (8 BE each) -> LockRecord
//   "Lm" + mount id + inode (8 BE each)               -> "" (the mount holds locks on the inode)
//   "Lx" + mount id (8 BE)                            -> ExpiredMountRecord
//   "B"                                               -> BalanceRecord (the operator's balance)
//
// Big-endian numbers make LevelDB's byte order equal numeric order, so a directory listing or a
// file's chunks are one range scan. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tessera::master {

std::string InodeKey(int64_t inode);
std::string DentryKey(int64_t parent, std::string_view name);
// Every dentry key of `parent` starts with this.
std::string DentryPrefix(int64_t parent);
std::string ChunkKey(int64_t inode, int64_t chunk_index);
// Every chunk key of `inode` starts with this.
std::string ChunkPrefix(int64_t inode);

std::string SessionKey(int64_t client_id);
// Extended attribute `name` of `inode`; every xattr key of `inode` starts with XattrPrefix.
std::string XattrKey(int64_t inode, std::string_view name);
std::string XattrPrefix(int64_t inode);
// Every draining server key starts with kDrainingServerPrefix.
inline constexpr std::string_view kDrainingServerPrefix = "R";
std::string DrainingServerKey(int64_t server_id);
// The operator's balance (BalanceRecord): one key.
inline constexpr std::string_view kBalanceKey = "B";
// Every unlinked inode key starts with kUnlinkedInodePrefix.
inline constexpr std::string_view kUnlinkedInodePrefix = "U";
std::string UnlinkedInodeKey(int64_t inode);

// File locks (master/lock_store.h). Every lock key of `inode` starts with LockPrefix(inode);
// every index key of a mount with MountLockPrefix(mount_id), of all mounts with kMountLockPrefix.
std::string LockKey(int64_t inode, int32_t kind, int64_t mount_id, int64_t owner, int64_t start);
std::string LockPrefix(int64_t inode);
inline constexpr std::string_view kMountLockPrefix = "Lm";
std::string MountLockKey(int64_t mount_id, int64_t inode);
std::string MountLockPrefix(int64_t mount_id);
std::string ExpiredMountKey(int64_t mount_id);

// Meta keys.
inline constexpr std::string_view kAppliedIndexKey = "Mapplied_index";
inline constexpr std::string_view kNextInodeKey = "Mnext_inode";
inline constexpr std::string_view kNextChunkIdKey = "Mnext_chunk_id";
inline constexpr std::string_view kInodeCountKey = "Minode_count";
inline constexpr std::string_view kChunkCountKey = "Mchunk_count";

void AppendBigEndian64(std::string* out, uint64_t value);
// REQUIRES: bytes.size() >= 8. Reads the first 8 bytes.
uint64_t ReadBigEndian64(std::string_view bytes);

}  // namespace tessera::master
