// A client::FileSystem kept in memory, for driving tessera-mount's FUSE operations through a
// real mount without a cluster. It implements the semantics the master promises (names,
// types, ENOTEMPTY, rename over a file) closely enough for the mount tests, not permissions.
//
// Thread-safety: every method takes mu_, which guards nodes_ and next_inode_; OpenFile
// handles take the same mutex through their FileSystem.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>

#include "client/file_system.h"

namespace tessera::fuse::testing {

class InMemoryFileSystem : public client::FileSystem {
 public:
  InMemoryFileSystem();

  Result<rpc::Attr> Lookup(const client::Caller& caller, int64_t parent,
                           std::string_view name) override;
  Result<rpc::Attr> GetAttr(const client::Caller& caller, int64_t inode) override;
  Result<rpc::Attr> SetAttr(const client::Caller& caller, int64_t inode,
                            const rpc::SetAttrRequest& request) override;
  Result<rpc::Attr> Mkdir(const client::Caller& caller, int64_t parent, std::string_view name,
                          uint32_t mode) override;
  Result<rpc::Attr> Create(const client::Caller& caller, int64_t parent, std::string_view name,
                           uint32_t mode) override;
  Result<rpc::ReaddirReply> ReadDir(const client::Caller& caller, int64_t inode,
                                    std::string_view after_name, int max_entries,
                                    client::DirListing listing) override;
  uint64_t LocalMutationCount() const override;
  // Writes go straight into the file here: nothing is ever buffered.
  bool HasUncommittedWrites(int64_t) const override { return false; }
  Status Unlink(const client::Caller& caller, int64_t parent, std::string_view name) override;
  Status Rmdir(const client::Caller& caller, int64_t parent, std::string_view name) override;
  Status Rename(const client::Caller& caller, int64_t old_parent, std::string_view old_name,
                int64_t new_parent, std::string_view new_name, uint32_t flags) override;
  Result<rpc::StatfsReply> Statfs(const client::Caller& caller) override;
  Result<rpc::Attr> Link(const client::Caller& caller, int64_t inode, int64_t new_parent,
                         std::string_view new_name) override;
  Result<rpc::Attr> Symlink(const client::Caller& caller, int64_t parent, std::string_view name,
                            std::string_view target) override;
  Result<rpc::Attr> Mknod(const client::Caller& caller, int64_t parent, std::string_view name,
                          rpc::FileType::type type, uint32_t mode) override;
  // Nothing to make durable: the state lives in memory only.
  Status SyncMetadata(const client::Caller& caller) override { return Status::Ok(); }
  // The master checks permissions (tests/unit/master covers them); here everything is allowed.
  Result<rpc::Attr> Access(const client::Caller& caller, int64_t inode, int32_t mask) override {
    return GetAttr(caller, inode);
  }
  Result<rpc::ClusterStatus> ClusterStatus() override;
  // Xattrs with XATTR_CREATE / XATTR_REPLACE semantics, no namespace or permission rules.
  Status SetXattr(const client::Caller& caller, int64_t inode, std::string_view name,
                  std::string_view value, int32_t flags) override;
  Result<std::string> GetXattr(const client::Caller& caller, int64_t inode,
                               std::string_view name) override;
  Result<std::vector<std::string>> ListXattrs(const client::Caller& caller, int64_t inode) override;
  Status RemoveXattr(const client::Caller& caller, int64_t inode, std::string_view name) override;
  // atime becomes the wall clock's now (never backwards).
  Result<rpc::Attr> TouchAtime(const client::Caller& caller, int64_t inode) override;
  Result<std::unique_ptr<client::OpenFile>> Open(const client::Caller& caller, int64_t inode,
                                                 bool writable) override;

  // For the OpenFile handles.
  Result<size_t> ReadData(int64_t inode, int64_t offset, std::span<std::byte> buf);
  Status WriteData(int64_t inode, int64_t offset, std::span<const std::byte> data);

  // The uid the last namespace call was made with, to check Caller plumbing.
  uint32_t last_caller_uid() const;

 private:
  struct Node {
    rpc::Attr attr;
    std::map<std::string, int64_t, std::less<>> children;  // directories
    std::string data;                                      // regular files
    std::map<std::string, std::string, std::less<>> xattrs;
  };

  Result<Node*> DirLocked(int64_t inode);
  Result<Node*> NodeLocked(int64_t inode);
  Result<rpc::Attr> AddLocked(int64_t parent, std::string_view name, rpc::FileType::type type,
                              uint32_t mode, const client::Caller& caller);

  mutable std::mutex mu_;
  std::map<int64_t, Node> nodes_;  // guarded by mu_
  int64_t next_inode_ = 2;         // guarded by mu_
  uint32_t last_caller_uid_ = 0;   // guarded by mu_
  uint64_t mutations_ = 0;         // guarded by mu_
};

}  // namespace tessera::fuse::testing
