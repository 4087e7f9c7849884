// MasterConnection: the client's view of the master service, one method per MasterService RPC
// the client needs, with errors as Status values.
//
// The production implementation (master_client.h) finds the leader and retries; tests use an
// in-memory fake. Implementations must be thread-safe: the FUSE loop calls from many threads.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "client/file_system.h"
#include "common/status.h"
#include "gen-cpp/tessera_types.h"

namespace tessera::client {

class MasterConnection {
 public:
  virtual ~MasterConnection() = default;

  virtual Result<rpc::Attr> Lookup(const Caller& caller, int64_t parent,
                                   const std::string& name) = 0;
  virtual Result<rpc::Attr> GetAttr(const Caller& caller, int64_t inode) = 0;
  virtual Result<rpc::Attr> SetAttr(const Caller& caller, int64_t inode,
                                    const rpc::SetAttrRequest& request) = 0;
  virtual Result<rpc::Attr> Mkdir(const Caller& caller, int64_t parent, const std::string& name,
                                  int32_t mode) = 0;
  virtual Result<rpc::Attr> Create(const Caller& caller, int64_t parent, const std::string& name,
                                   int32_t mode) = 0;
  virtual Result<rpc::ReaddirReply> Readdir(const Caller& caller, int64_t inode,
                                            const std::string& after_name, int32_t max_entries,
                                            bool with_attrs) = 0;
  // Mutating calls made so far, counted when each returns, whatever its outcome.
  virtual uint64_t MutationCount() const = 0;
  virtual Status Unlink(const Caller& caller, int64_t parent, const std::string& name) = 0;
  virtual Status Rmdir(const Caller& caller, int64_t parent, const std::string& name) = 0;
  virtual Status Rename(const Caller& caller, int64_t old_parent, const std::string& old_name,
                        int64_t new_parent, const std::string& new_name, int32_t flags) = 0;
  virtual Result<rpc::StatfsReply> Statfs(const Caller& caller) = 0;
  virtual Result<rpc::Attr> Link(const Caller& caller, int64_t inode, int64_t new_parent,
                                 const std::string& new_name) = 0;
  virtual Result<rpc::Attr> Symlink(const Caller& caller, int64_t parent, const std::string& name,
                                    const std::string& target) = 0;
  virtual Result<rpc::Attr> Mknod(const Caller& caller, int64_t parent, const std::string& name,
                                  rpc::FileType::type type, int32_t mode) = 0;

  // Chunks [first_index, first_index + count) that exist; absent indexes are holes.
  virtual Result<std::vector<rpc::ChunkInfo>> GetChunks(const Caller& caller, int64_t inode,
                                                        int64_t first_index, int32_t count) = 0;
  // The write chain for a chunk, allocating it when needed.
  virtual Result<rpc::ChunkInfo> PrepareWrite(const Caller& caller, int64_t inode,
                                              int64_t chunk_index) = 0;
  // size = max(size, end_offset), mtime = ctime = mtime_ns.
  // Every namespace change acknowledged so far is on the master's stable storage.
  virtual Status SyncMetadata(const Caller& caller) = 0;
  // A replica answered a read with CORRUPTION: the master replaces it.
  virtual Status ReportCorruptReplica(int64_t chunk_id, int64_t server_id) = 0;
  virtual Result<rpc::Attr> CommitWrite(const Caller& caller, int64_t inode, int64_t end_offset,
                                        int64_t mtime_ns) = 0;
  // O_APPEND: reserves `length` bytes at the file's end (master_service_append.cc); the answered
  // attributes' size is the reservation's end, so the range is [size - length, size).
  virtual Result<rpc::Attr> ReserveAppend(const Caller& caller, int64_t inode, int64_t length,
                                          int64_t mtime_ns) = 0;

  virtual Result<rpc::ClusterStatus> ClusterStatus() = 0;
  // access(2): kPermissionDenied unless the caller has every bit of mask (R_OK|W_OK|X_OK, as
  // the master judges them) on inode.
  virtual Result<rpc::Attr> Access(const Caller& caller, int64_t inode, int32_t mask) = 0;

  // Extended attributes (FileSystem::SetXattr and the others).
  virtual Status SetXattr(const Caller& caller, int64_t inode, const std::string& name,
                          const std::string& value, int32_t flags) = 0;
  virtual Result<std::string> GetXattr(const Caller& caller, int64_t inode,
                                       const std::string& name) = 0;
  virtual Result<std::vector<std::string>> ListXattrs(const Caller& caller, int64_t inode) = 0;
  virtual Status RemoveXattr(const Caller& caller, int64_t inode, const std::string& name) = 0;

  // A read moved the file's atime (FileSystem::TouchAtime).
  virtual Result<rpc::Attr> TouchAtime(const Caller& caller, int64_t inode) = 0;
  // This mount holds `inodes` open (MasterService.reportOpenFiles): keeps unlinked files alive
  // on the master. REQUIRES: mount_id > 0, at most kMaxOpenFilesPerReport inodes, each > 0.
  virtual Status ReportOpenFiles(int64_t mount_id, const std::vector<int64_t>& inodes) = 0;
  // File locks (FileSystem::SetLock). SetLock is a session mutation: a retry after failover is
  // answered with the first outcome.
  virtual Result<rpc::SetLockReply> SetLock(const Caller& caller, const rpc::FileLock& lock) = 0;
  virtual Result<rpc::FileLock> GetLock(const Caller& caller, const rpc::FileLock& lock) = 0;
  virtual Result<rpc::MountHeartbeatReply> MountHeartbeat(int64_t mount_id) = 0;
};

}  // namespace tessera::client
