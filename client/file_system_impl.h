// FileSystemImpl: the FileSystem of file_system.h over a MasterConnection and a
// ChunkConnection. FileSystem::Create builds it over Thrift; tests build it over fakes.
//
// Metadata calls are validated here (names, sizes, modes) and passed to the master; attributes
// of inodes open in this process are overlaid with this client's not yet committed size. A
// truncate (SetAttr with a size) first flushes this process's writers of that inode, then drops
// its cached chunk locations.
// Once a second, the inodes open in this process are reported to the master under mount_id_,
// so that a file unlinked while open stays until its last close (open_file_reporter.h).
//
// Thread-safety: thread-safe; every member guards itself. REQUIRES: every OpenFile is destroyed
// before its FileSystemImpl.
#pragma once

#include <memory>

#include "client/chunk_client.h"
#include "client/chunk_connection.h"
#include "client/chunk_location_cache.h"
#include "client/client_services.h"
#include "client/file_system.h"
#include "client/inode_state.h"
#include "client/master_connection.h"
#include "client/open_file_reporter.h"
#include "client/mount_locks.h"
#include "client/request_context.h"
#include "client/task_pool.h"
#include "common/clock.h"
#include "common/open_files.h"

namespace tessera::client {

// OK when `options` can be used; explains the first bad field otherwise.
Status ValidateClientOptions(const ClientOptions& options);

class FileSystemImpl final : public FileSystem {
 public:
  // REQUIRES: ValidateClientOptions(options).ok(); `clock` outlives this object.
  FileSystemImpl(ClientOptions options, std::unique_ptr<MasterConnection> master,
                 std::unique_ptr<ChunkConnection> chunk_connection, const Clock& clock);
  ~FileSystemImpl() override;

  Result<rpc::Attr> Lookup(const Caller& caller, int64_t parent, std::string_view name) override;
  Result<rpc::Attr> GetAttr(const Caller& caller, int64_t inode) override;
  Result<rpc::Attr> SetAttr(const Caller& caller, int64_t inode,
                            const rpc::SetAttrRequest& request) override;
  Result<rpc::Attr> Mkdir(const Caller& caller, int64_t parent, std::string_view name,
                          uint32_t mode) override;
  Result<rpc::Attr> Create(const Caller& caller, int64_t parent, std::string_view name,
                           uint32_t mode) override;
  Result<rpc::ReaddirReply> ReadDir(const Caller& caller, int64_t inode,
                                    std::string_view after_name, int max_entries,
                                    DirListing listing) override;
  uint64_t LocalMutationCount() const override { return master_->MutationCount(); }
  bool HasUncommittedWrites(int64_t inode) const override;
  Status Unlink(const Caller& caller, int64_t parent, std::string_view name) override;
  Status Rmdir(const Caller& caller, int64_t parent, std::string_view name) override;
  Status Rename(const Caller& caller, int64_t old_parent, std::string_view old_name,
                int64_t new_parent, std::string_view new_name, uint32_t flags) override;
  Result<rpc::StatfsReply> Statfs(const Caller& caller) override;
  Result<rpc::Attr> Link(const Caller& caller, int64_t inode, int64_t new_parent,
                         std::string_view new_name) override;
  Result<rpc::Attr> Symlink(const Caller& caller, int64_t parent, std::string_view name,
                            std::string_view target) override;
  Result<rpc::Attr> Mknod(const Caller& caller, int64_t parent, std::string_view name,
                          rpc::FileType::type type, uint32_t mode) override;
  Status SyncMetadata(const Caller& caller) override;
  Result<rpc::Attr> Access(const Caller& caller, int64_t inode, int32_t mask) override;
  Result<rpc::ClusterStatus> ClusterStatus() override;
  Status SetXattr(const Caller& caller, int64_t inode, std::string_view name,
                  std::string_view value, int32_t flags) override;
  Result<std::string> GetXattr(const Caller& caller, int64_t inode, std::string_view name) override;
  Result<std::vector<std::string>> ListXattrs(const Caller& caller, int64_t inode) override;
  Status RemoveXattr(const Caller& caller, int64_t inode, std::string_view name) override;
  Result<rpc::Attr> TouchAtime(const Caller& caller, int64_t inode) override;
  Result<std::unique_ptr<OpenFile>> OpenWithFreshAttr(const Caller& caller, const rpc::Attr& attr,
                                                      bool writable) override;
  Result<std::unique_ptr<OpenFile>> Open(const Caller& caller, int64_t inode,
                                         bool writable) override;
  // File locks (mount_locks.h).
  Result<rpc::Attr> SetLock(const Caller& caller, const LockRequest& request) override;
  Result<rpc::FileLock> GetLock(const Caller& caller, const LockRequest& request) override;
  Status ReleaseLocks(const Caller& caller, int64_t inode, uint64_t owner,
                      rpc::LockKind::type kind) override;

 private:
  // Adds this process's uncommitted size to an attribute from the master.
  rpc::Attr Overlay(rpc::Attr attr) const;
  // What GetAttr makes of the master's attributes of `inode`: NotFound for a file without a
  // name that this mount does not hold open, else the overlaid attributes.
  Result<rpc::Attr> AttrForThisMount(rpc::Attr attr) const;

  const ClientOptions options_;
  const std::unique_ptr<MasterConnection> master_;
  const std::unique_ptr<ChunkConnection> chunk_connection_;
  const Clock& clock_;
  ChunkClient chunks_;
  ChunkLocationCache locations_;
  RequestIdGenerator request_ids_;
  const int64_t mount_id_ = request_ids_.NextClientId();  // this mount's identity for locks and open files
  InodeRegistry inodes_;
  const ClientServices services_;  // refers to pool_ below, which it never uses while building
  MountLocks locks_{mount_id_, *master_, inodes_, locations_};
  // Declared last so that it is destroyed first: its tasks use every member above.
  TaskPool pool_;
  // After pool_, which it does not use: it stops before master_ and inodes_ go.
  OpenFileReporter open_file_reporter_{*master_, inodes_, mount_id_, kOpenFilesReportIntervalMs};
};

}  // namespace tessera::client
