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
