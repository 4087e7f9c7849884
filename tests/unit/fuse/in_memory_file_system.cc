#include "tests/unit/fuse/in_memory_file_system.h"

#include <sys/xattr.h>

#include <algorithm>
#include <chrono>
#include <cstring>

#include "common/names.h"

namespace tessera::fuse::testing {
namespace {

class InMemoryOpenFile : public client::OpenFile {
 public:
  InMemoryOpenFile(InMemoryFileSystem* fs, int64_t inode) : fs_(fs), inode_(inode) {}
  Result<size_t> Read(int64_t offset, std::span<std::byte> buf) override {
    return fs_->ReadData(inode_, offset, buf);
  }
  Status Write(int64_t offset, std::span<const std::byte> data) override {
    return fs_->WriteData(inode_, offset, data);
  }
  Status Flush() override { return Status::Ok(); }
  Status Fsync() override { return Status::Ok(); }
  // One process: the end it reads is the end it writes at.
  Result<int64_t> Append(std::span<const std::byte> data) override {
    ASSIGN_OR_RETURN(rpc::Attr attr, fs_->GetAttr(client::Caller{}, inode_));
    RETURN_IF_ERROR(fs_->WriteData(inode_, attr.size, data));
    return attr.size;
  }
  Status Allocate(int64_t end) override {
    ASSIGN_OR_RETURN(rpc::Attr attr, fs_->GetAttr(client::Caller{}, inode_));
    if (attr.size >= end) return Status::Ok();
    rpc::SetAttrRequest grow;
    grow.__set_size(end);
    return fs_->SetAttr(client::Caller{}, inode_, grow).status();
  }

 private:
  InMemoryFileSystem* fs_;
  int64_t inode_;
};

}  // namespace

InMemoryFileSystem::InMemoryFileSystem() {
  Node root;
  root.attr.inode = kRootInode;
  root.attr.type = rpc::FileType::DIRECTORY;
  root.attr.mode = 0755;
  root.attr.nlink = 2;
  nodes_[kRootInode] = root;
}

uint32_t InMemoryFileSystem::last_caller_uid() const {
  std::lock_guard lock(mu_);
  return last_caller_uid_;
}

Result<InMemoryFileSystem::Node*> InMemoryFileSystem::DirLocked(int64_t inode) {
  auto it = nodes_.find(inode);
  if (it == nodes_.end()) return Status::NotFound("no inode " + std::to_string(inode));
  if (it->second.attr.type != rpc::FileType::DIRECTORY) return Status::NotDirectory("not a dir");
  return &it->second;
}

Result<rpc::Attr> InMemoryFileSystem::Lookup(const client::Caller& caller, int64_t parent,
                                             std::string_view name) {
  std::lock_guard lock(mu_);
  last_caller_uid_ = caller.uid;
  RETURN_IF_ERROR(ValidateName(name));
  ASSIGN_OR_RETURN(Node * dir, DirLocked(parent));
  auto it = dir->children.find(name);
  if (it == dir->children.end()) return Status::NotFound("no entry " + std::string(name));
  return nodes_[it->second].attr;
}

Result<rpc::Attr> InMemoryFileSystem::GetAttr(const client::Caller& caller, int64_t inode) {
  std::lock_guard lock(mu_);
  auto it = nodes_.find(inode);
  if (it == nodes_.end()) return Status::NotFound("no inode");
  return it->second.attr;
}

Result<rpc::Attr> InMemoryFileSystem::SetAttr(const client::Caller& caller, int64_t inode,
                                              const rpc::SetAttrRequest& request) {
  std::lock_guard lock(mu_);
  ++mutations_;
  auto it = nodes_.find(inode);
  if (it == nodes_.end()) return Status::NotFound("no inode");
  rpc::Attr& attr = it->second.attr;
  if (request.__isset.mode) attr.mode = request.mode;
  if (request.__isset.uid) attr.uid = request.uid;
  if (request.__isset.gid) attr.gid = request.gid;
  if (request.__isset.size) {
    if (attr.type == rpc::FileType::DIRECTORY) return Status::IsDirectory("directory");
    it->second.data.resize(static_cast<size_t>(request.size));
    attr.size = request.size;
  }
  if (request.__isset.mtime_ns) attr.mtime_ns = request.mtime_ns;
  if (request.__isset.atime_ns) attr.atime_ns = request.atime_ns;
  return attr;
}

Result<rpc::Attr> InMemoryFileSystem::TouchAtime(const client::Caller& caller, int64_t inode) {
  std::lock_guard lock(mu_);
  auto it = nodes_.find(inode);
  if (it == nodes_.end()) return Status::NotFound("no inode");
  rpc::Attr& attr = it->second.attr;
  if (attr.type != rpc::FileType::REGULAR) return Status::InvalidArgument("not a regular file");
  const int64_t now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  attr.atime_ns = std::max(attr.atime_ns, now_ns);
  return attr;
}

Result<rpc::Attr> InMemoryFileSystem::AddLocked(int64_t parent, std::string_view name,
                                                rpc::FileType::type type, uint32_t mode,
                                                const client::Caller& caller) {
  last_caller_uid_ = caller.uid;
  RETURN_IF_ERROR(ValidateName(name));
  ASSIGN_OR_RETURN(Node * dir, DirLocked(parent));
  if (dir->children.contains(name)) return Status::AlreadyExists(std::string(name));
  Node node;
  node.attr.inode = next_inode_++;
  node.attr.type = type;
  node.attr.mode = static_cast<int32_t>(mode);
  node.attr.uid = static_cast<int32_t>(caller.uid);
  node.attr.gid = static_cast<int32_t>(caller.gid);
  node.attr.nlink = type == rpc::FileType::DIRECTORY ? 2 : 1;
  dir->children.emplace(std::string(name), node.attr.inode);
  nodes_[node.attr.inode] = node;
  return node.attr;
}

Result<rpc::Attr> InMemoryFileSystem::Mkdir(const client::Caller& caller, int64_t parent,
                                            std::string_view name, uint32_t mode) {
  std::lock_guard lock(mu_);
  ++mutations_;
  return AddLocked(parent, name, rpc::FileType::DIRECTORY, mode, caller);
}

Result<rpc::Attr> InMemoryFileSystem::Create(const client::Caller& caller, int64_t parent,
                                             std::string_view name, uint32_t mode) {
  std::lock_guard lock(mu_);
  ++mutations_;
  return AddLocked(parent, name, rpc::FileType::REGULAR, mode, caller);
}

Result<rpc::ReaddirReply> InMemoryFileSystem::ReadDir(const client::Caller& caller, int64_t inode,
                                                      std::string_view after_name, int max_entries,
                                                      client::DirListing listing) {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(Node * dir, DirLocked(inode));
  rpc::ReaddirReply reply;
  auto it = dir->children.upper_bound(after_name);
  for (; it != dir->children.end() && static_cast<int>(reply.entries.size()) < max_entries; ++it) {
    rpc::DirEntry entry;
    entry.name = it->first;
    entry.inode = it->second;
    entry.type = nodes_[it->second].attr.type;
    if (listing == client::DirListing::kWithAttrs) entry.__set_attr(nodes_[it->second].attr);
    reply.entries.push_back(entry);
  }
  reply.eof = it == dir->children.end();
  return reply;
}

uint64_t InMemoryFileSystem::LocalMutationCount() const {
  std::lock_guard lock(mu_);
  return mutations_;
}

Status InMemoryFileSystem::Unlink(const client::Caller& caller, int64_t parent,
                                  std::string_view name) {
  std::lock_guard lock(mu_);
  ++mutations_;
  ASSIGN_OR_RETURN(Node * dir, DirLocked(parent));
  auto it = dir->children.find(name);
  if (it == dir->children.end()) return Status::NotFound(std::string(name));
  if (nodes_[it->second].attr.type == rpc::FileType::DIRECTORY) {
    return Status::IsDirectory(std::string(name));
  }
  // The inode goes with its last link.
  if (--nodes_[it->second].attr.nlink == 0) nodes_.erase(it->second);
  dir->children.erase(it);
  return Status::Ok();
}

Result<rpc::Attr> InMemoryFileSystem::Link(const client::Caller& caller, int64_t inode,
                                           int64_t new_parent, std::string_view new_name) {
  std::lock_guard lock(mu_);
  ++mutations_;
  RETURN_IF_ERROR(ValidateName(new_name));
  ASSIGN_OR_RETURN(Node * dir, DirLocked(new_parent));
  auto it = nodes_.find(inode);
  if (it == nodes_.end()) return Status::NotFound("no inode " + std::to_string(inode));
  if (it->second.attr.type == rpc::FileType::DIRECTORY) return Status::InvalidArgument("a dir");
  if (dir->children.contains(new_name)) return Status::AlreadyExists(std::string(new_name));
  dir->children.emplace(std::string(new_name), inode);
  ++it->second.attr.nlink;
  return it->second.attr;
}

Result<rpc::Attr> InMemoryFileSystem::Symlink(const client::Caller& caller, int64_t parent,
                                              std::string_view name, std::string_view target) {
  std::lock_guard lock(mu_);
  ++mutations_;
  RETURN_IF_ERROR(ValidateSymlinkTarget(target));
  ASSIGN_OR_RETURN(rpc::Attr attr, AddLocked(parent, name, rpc::FileType::SYMLINK, 0777, caller));
  rpc::Attr& stored = nodes_[attr.inode].attr;
  stored.symlink_target = std::string(target);
  stored.size = static_cast<int64_t>(target.size());
  return stored;
}

Result<rpc::Attr> InMemoryFileSystem::Mknod(const client::Caller& caller, int64_t parent,
                                            std::string_view name, rpc::FileType::type type,
                                            uint32_t mode) {
  std::lock_guard lock(mu_);
  ++mutations_;
  if (type != rpc::FileType::FIFO && type != rpc::FileType::SOCKET) {
    return Status::InvalidArgument("mknod makes FIFOs and sockets only");
  }
  return AddLocked(parent, name, type, mode, caller);
}

Status InMemoryFileSystem::Rmdir(const client::Caller& caller, int64_t parent,
                                 std::string_view name) {
  std::lock_guard lock(mu_);
  ++mutations_;
  ASSIGN_OR_RETURN(Node * dir, DirLocked(parent));
  auto it = dir->children.find(name);
  if (it == dir->children.end()) return Status::NotFound(std::string(name));
  Node& child = nodes_[it->second];
  if (child.attr.type != rpc::FileType::DIRECTORY) return Status::NotDirectory(std::string(name));
  if (!child.children.empty()) return Status::NotEmpty(std::string(name));
  nodes_.erase(it->second);
  dir->children.erase(it);
  return Status::Ok();
}

Status InMemoryFileSystem::Rename(const client::Caller& caller, int64_t old_parent,
                                  std::string_view old_name, int64_t new_parent,
                                  std::string_view new_name, uint32_t flags) {
  std::lock_guard lock(mu_);
  ++mutations_;
  RETURN_IF_ERROR(ValidateName(new_name));
  ASSIGN_OR_RETURN(Node * from, DirLocked(old_parent));
  ASSIGN_OR_RETURN(Node * to, DirLocked(new_parent));
  auto it = from->children.find(old_name);
  if (it == from->children.end()) return Status::NotFound(std::string(old_name));
  const int64_t moved = it->second;
  // RENAME_EXCHANGE is the master's (master/ops/rename_exchange.cc); this fake keeps to the rest.
  if (flags != 0 && flags != kRenameNoReplace) return Status::InvalidArgument("rename flags");
  auto target = to->children.find(new_name);
  if (target != to->children.end()) {
    if (flags == kRenameNoReplace) return Status::AlreadyExists(std::string(new_name));
    if (nodes_[target->second].attr.type == rpc::FileType::DIRECTORY) {
      return Status::IsDirectory(std::string(new_name));
    }
    nodes_.erase(target->second);
    to->children.erase(target);
  }
  from->children.erase(std::string(old_name));
  to->children[std::string(new_name)] = moved;
  return Status::Ok();
}

Result<rpc::StatfsReply> InMemoryFileSystem::Statfs(const client::Caller& caller) {
  std::lock_guard lock(mu_);
  rpc::StatfsReply reply;
  reply.total_bytes = int64_t{10} << 30;
  reply.free_bytes = int64_t{4} << 30;
  reply.inodes_used = static_cast<int64_t>(nodes_.size());
  return reply;
}

Result<rpc::ClusterStatus> InMemoryFileSystem::ClusterStatus() { return rpc::ClusterStatus(); }

Result<InMemoryFileSystem::Node*> InMemoryFileSystem::NodeLocked(int64_t inode) {
  auto it = nodes_.find(inode);
  if (it == nodes_.end()) return Status::NotFound("no inode");
  return &it->second;
}

Status InMemoryFileSystem::SetXattr(const client::Caller& caller, int64_t inode,
                                    std::string_view name, std::string_view value, int32_t flags) {
  std::lock_guard lock(mu_);
  ++mutations_;
  ASSIGN_OR_RETURN(Node * node, NodeLocked(inode));
  auto it = node->xattrs.find(name);
  if (it != node->xattrs.end() && (flags & XATTR_CREATE) != 0)
    return Status::AlreadyExists("exists");
  if (it == node->xattrs.end() && (flags & XATTR_REPLACE) != 0) return Status::NoData("no xattr");
  node->xattrs[std::string(name)] = std::string(value);
  return Status::Ok();
}

Result<std::string> InMemoryFileSystem::GetXattr(const client::Caller& caller, int64_t inode,
                                                 std::string_view name) {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(Node * node, NodeLocked(inode));
  auto it = node->xattrs.find(name);
  if (it == node->xattrs.end()) return Status::NoData("no xattr");
  return it->second;
}

Result<std::vector<std::string>> InMemoryFileSystem::ListXattrs(const client::Caller& caller,
                                                                int64_t inode) {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(Node * node, NodeLocked(inode));
  std::vector<std::string> names;
  for (const auto& [name, value] : node->xattrs) names.push_back(name);
  return names;
}

Status InMemoryFileSystem::RemoveXattr(const client::Caller& caller, int64_t inode,
                                       std::string_view name) {
  std::lock_guard lock(mu_);
  ++mutations_;
  ASSIGN_OR_RETURN(Node * node, NodeLocked(inode));
  auto it = node->xattrs.find(name);
  if (it == node->xattrs.end()) return Status::NoData("no xattr");
  node->xattrs.erase(it);
  return Status::Ok();
}

Result<std::unique_ptr<client::OpenFile>> InMemoryFileSystem::Open(const client::Caller& caller,
                                                                   int64_t inode, bool writable) {
  std::lock_guard lock(mu_);
  auto it = nodes_.find(inode);
  if (it == nodes_.end()) return Status::NotFound("no inode");
  if (it->second.attr.type == rpc::FileType::DIRECTORY) return Status::IsDirectory("directory");
  return std::unique_ptr<client::OpenFile>(new InMemoryOpenFile(this, inode));
}

Result<size_t> InMemoryFileSystem::ReadData(int64_t inode, int64_t offset,
                                            std::span<std::byte> buf) {
  std::lock_guard lock(mu_);
  auto it = nodes_.find(inode);
  if (it == nodes_.end()) return Status::NotFound("no inode");
  const std::string& data = it->second.data;
  if (offset < 0) return Status::InvalidArgument("negative offset");
  if (static_cast<size_t>(offset) >= data.size()) return size_t{0};
  const size_t n = std::min(buf.size(), data.size() - static_cast<size_t>(offset));
  std::memcpy(buf.data(), data.data() + offset, n);
  return n;
}

Status InMemoryFileSystem::WriteData(int64_t inode, int64_t offset,
                                     std::span<const std::byte> data) {
  std::lock_guard lock(mu_);
  ++mutations_;
  auto it = nodes_.find(inode);
  if (it == nodes_.end()) return Status::NotFound("no inode");
  if (offset < 0) return Status::InvalidArgument("negative offset");
  std::string& contents = it->second.data;
  const size_t end = static_cast<size_t>(offset) + data.size();
  if (contents.size() < end) contents.resize(end);
  std::memcpy(contents.data() + offset, data.data(), data.size());
  it->second.attr.size = static_cast<int64_t>(contents.size());
  return Status::Ok();
}

}  // namespace tessera::fuse::testing
