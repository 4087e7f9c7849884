#include "master/keys.h"

namespace tessera::master {

void AppendBigEndian64(std::string* out, uint64_t value) {
  for (int shift = 56; shift >= 0; shift -= 8) out->push_back(static_cast<char>(value >> shift));
}

uint64_t ReadBigEndian64(std::string_view bytes) {
  uint64_t value = 0;
  for (int i = 0; i < 8; ++i) value = (value << 8) | static_cast<uint8_t>(bytes[i]);
  return value;
}

std::string InodeKey(int64_t inode) {
  std::string key = "I";
  AppendBigEndian64(&key, static_cast<uint64_t>(inode));
  return key;
}

std::string DentryPrefix(int64_t parent) {
  std::string key = "D";
  AppendBigEndian64(&key, static_cast<uint64_t>(parent));
  return key;
}

std::string DentryKey(int64_t parent, std::string_view name) {
  std::string key = DentryPrefix(parent);
  key.append(name);
  return key;
}

std::string SessionKey(int64_t client_id) {
  std::string key = "S";
  AppendBigEndian64(&key, static_cast<uint64_t>(client_id));
  return key;
}

std::string DrainingServerKey(int64_t server_id) {
  std::string key(kDrainingServerPrefix);
  AppendBigEndian64(&key, static_cast<uint64_t>(server_id));
  return key;
}

std::string UnlinkedInodeKey(int64_t inode) {
  std::string key(kUnlinkedInodePrefix);
  AppendBigEndian64(&key, static_cast<uint64_t>(inode));
  return key;
}

std::string ChunkPrefix(int64_t inode) {
  std::string key = "C";
  AppendBigEndian64(&key, static_cast<uint64_t>(inode));
  return key;
}

std::string ChunkKey(int64_t inode, int64_t chunk_index) {
  std::string key = ChunkPrefix(inode);
  AppendBigEndian64(&key, static_cast<uint64_t>(chunk_index));
  return key;
}

std::string XattrPrefix(int64_t inode) {
  std::string key = "X";
  AppendBigEndian64(&key, static_cast<uint64_t>(inode));
  return key;
}

std::string XattrKey(int64_t inode, std::string_view name) {
  std::string key = XattrPrefix(inode);
  key.append(name);
  return key;
}

std::string LockPrefix(int64_t inode) {
  std::string key = "Lr";
  AppendBigEndian64(&key, static_cast<uint64_t>(inode));
  return key;
}

std::string LockKey(int64_t inode, int32_t kind, int64_t mount_id, int64_t owner, int64_t start) {
  std::string key = LockPrefix(inode);
  key.push_back(static_cast<char>(kind));
  AppendBigEndian64(&key, static_cast<uint64_t>(mount_id));
  AppendBigEndian64(&key, static_cast<uint64_t>(owner));
  AppendBigEndian64(&key, static_cast<uint64_t>(start));
  return key;
}

std::string MountLockPrefix(int64_t mount_id) {
  std::string key(kMountLockPrefix);
  AppendBigEndian64(&key, static_cast<uint64_t>(mount_id));
  return key;
}

std::string MountLockKey(int64_t mount_id, int64_t inode) {
  std::string key = MountLockPrefix(mount_id);
  AppendBigEndian64(&key, static_cast<uint64_t>(inode));
  return key;
}

std::string ExpiredMountKey(int64_t mount_id) {
  std::string key = "Lx";
  AppendBigEndian64(&key, static_cast<uint64_t>(mount_id));
  return key;
}

}  // namespace tessera::master
