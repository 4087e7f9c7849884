// In-memory fakes of MasterConnection and ChunkConnection for client unit tests (no sockets).
// Both are thread-safe: the client calls them from its background workers.
#pragma once

#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "client/chunk_connection.h"
#include "client/master_connection.h"
#include "common/names.h"

namespace tessera::client::testing {

inline rpc::ChunkServerAddress Server(int64_t id, int port) {
  rpc::ChunkServerAddress address;
  address.server_id = id;
  address.host = "127.0.0.1";
  address.port = port;
  return address;
}

class FakeMaster final : public MasterConnection {
 public:
  explicit FakeMaster(std::vector<rpc::ChunkServerAddress> chain) : chain_(std::move(chain)) {}

  Result<rpc::Attr> Lookup(const Caller&, int64_t parent, const std::string& name) override {
    std::lock_guard lock(mu_);
    auto it = names_.find({parent, name});
    if (it == names_.end()) return Status::NotFound("no entry " + name);
    return attrs_.at(it->second);
  }
  Result<rpc::Attr> GetAttr(const Caller&, int64_t inode) override {
    std::lock_guard lock(mu_);
    auto it = attrs_.find(inode);
    if (it == attrs_.end()) return Status::NotFound("no inode");
    return it->second;
  }
  Result<rpc::Attr> SetAttr(const Caller&, int64_t inode,
                            const rpc::SetAttrRequest& request) override {
    std::lock_guard lock(mu_);
    auto it = attrs_.find(inode);
    if (it == attrs_.end()) return Status::NotFound("no inode");
    if (request.__isset.size) it->second.size = request.size;
    if (request.__isset.mode) it->second.mode = request.mode;
    if (request.__isset.mtime_ns) it->second.mtime_ns = request.mtime_ns;
    return it->second;
  }
  Result<rpc::Attr> Mkdir(const Caller& caller, int64_t parent, const std::string& name,
                          int32_t mode) override {
    return Make(parent, name, mode, rpc::FileType::DIRECTORY);
  }
  Result<rpc::Attr> Create(const Caller& caller, int64_t parent, const std::string& name,
                           int32_t mode) override {
    return Make(parent, name, mode, rpc::FileType::REGULAR);
  }
  // The client tests never list with attributes, which is what the count guards.
  uint64_t MutationCount() const override { return 0; }
  Result<rpc::ReaddirReply> Readdir(const Caller&, int64_t, const std::string&, int32_t,
                                    bool) override {
    rpc::ReaddirReply reply;
    reply.eof = true;
    return reply;
  }
  Status Unlink(const Caller&, int64_t, const std::string&) override { return Status::Ok(); }
  Status Rmdir(const Caller&, int64_t, const std::string&) override { return Status::Ok(); }
  Status Rename(const Caller&, int64_t, const std::string&, int64_t, const std::string&,
                int32_t) override {
    return Status::Ok();
  }
  Result<rpc::StatfsReply> Statfs(const Caller&) override { return rpc::StatfsReply(); }
  Result<rpc::Attr> Link(const Caller&, int64_t inode, int64_t new_parent,
                         const std::string& new_name) override {
    std::lock_guard lock(mu_);
    auto it = attrs_.find(inode);
    if (it == attrs_.end()) return Status::NotFound("no inode");
    if (names_.count({new_parent, new_name})) return Status::AlreadyExists(new_name);
    names_[{new_parent, new_name}] = inode;
    ++it->second.nlink;
    return it->second;
  }
  Result<rpc::Attr> Symlink(const Caller&, int64_t parent, const std::string& name,
                            const std::string& target) override {
    ASSIGN_OR_RETURN(rpc::Attr attr, Make(parent, name, 0777, rpc::FileType::SYMLINK));
    std::lock_guard lock(mu_);
    rpc::Attr& stored = attrs_[attr.inode];
    stored.symlink_target = target;
    stored.size = static_cast<int64_t>(target.size());
    return stored;
  }
  Result<rpc::Attr> Mknod(const Caller&, int64_t parent, const std::string& name,
                          rpc::FileType::type type, int32_t mode) override {
    return Make(parent, name, mode, type);
  }
  // Permissions are the master's business, tested in tests/unit/master: everything is allowed.
  Result<rpc::Attr> Access(const Caller& caller, int64_t inode, int32_t) override {
    return GetAttr(caller, inode);
  }

  Result<std::vector<rpc::ChunkInfo>> GetChunks(const Caller&, int64_t inode, int64_t first_index,
                                                int32_t count) override {
    std::lock_guard lock(mu_);
    ++get_chunks_calls_;
    std::vector<rpc::ChunkInfo> out;
    for (int64_t i = first_index; i < first_index + count; ++i) {
      auto it = chunks_.find({inode, i});
      if (it != chunks_.end()) out.push_back(it->second);
    }
    return out;
  }
  Result<rpc::ChunkInfo> PrepareWrite(const Caller&, int64_t inode, int64_t chunk_index) override {
    std::lock_guard lock(mu_);
    ++prepare_calls_;
    auto [it, inserted] = chunks_.try_emplace({inode, chunk_index});
    if (inserted) {
      it->second.chunk_index = chunk_index;
      it->second.chunk_id = next_chunk_id_++;
      it->second.replicas = chain_;
    }
    ++it->second.version;
    return it->second;
  }
  Status ReportOpenFiles(int64_t mount_id, const std::vector<int64_t>& inodes) override {
    std::lock_guard lock(mu_);
    open_file_reports_.emplace_back(mount_id, inodes);
    return Status::Ok();
  }
  std::vector<std::pair<int64_t, std::vector<int64_t>>> open_file_reports() const {
    std::lock_guard lock(mu_);
    return open_file_reports_;
  }
  Status ReportCorruptReplica(int64_t chunk_id, int64_t server_id) override {
    std::lock_guard lock(mu_);
    corrupt_reports_.emplace_back(chunk_id, server_id);
    return Status::Ok();
  }
  std::vector<std::pair<int64_t, int64_t>> corrupt_reports() const {
    std::lock_guard lock(mu_);
    return corrupt_reports_;
  }
  Status SyncMetadata(const Caller&) override {
    std::lock_guard lock(mu_);
    ++metadata_syncs_;
    return Status::Ok();
  }
  int metadata_syncs() const {
    std::lock_guard lock(mu_);
    return metadata_syncs_;
  }
  Result<rpc::Attr> CommitWrite(const Caller&, int64_t inode, int64_t end_offset,
                                int64_t mtime_ns) override {
    std::lock_guard lock(mu_);
    commits_.emplace_back(inode, end_offset);
    auto it = attrs_.find(inode);
    if (it == attrs_.end()) return Status::NotFound("no inode");
    it->second.size = std::max(it->second.size, end_offset);
    it->second.mtime_ns = mtime_ns;
    return it->second;
  }
  Result<rpc::Attr> ReserveAppend(const Caller& caller, int64_t inode, int64_t length,
                                  int64_t mtime_ns) override {
    int64_t end;
    {
      std::lock_guard lock(mu_);
      auto it = attrs_.find(inode);
      if (it == attrs_.end()) return Status::NotFound("no inode");
      end = it->second.size + length;
    }
    return CommitWrite(caller, inode, end, mtime_ns);
  }
  Result<rpc::ClusterStatus> ClusterStatus() override { return rpc::ClusterStatus(); }
  // The client passes xattr calls straight through; their rules are the master's and are tested
  // there (tests/unit/master/xattr_test.cc), so this fake keeps none.
  Status SetXattr(const Caller&, int64_t, const std::string&, const std::string&,
                  int32_t) override {
    return Status::NotSupported("FakeMaster keeps no xattrs");
  }
  Result<std::string> GetXattr(const Caller&, int64_t, const std::string&) override {
    return Status::NotSupported("FakeMaster keeps no xattrs");
  }
  Result<std::vector<std::string>> ListXattrs(const Caller&, int64_t) override {
    return Status::NotSupported("FakeMaster keeps no xattrs");
  }
  Status RemoveXattr(const Caller&, int64_t, const std::string&) override {
    return Status::NotSupported("FakeMaster keeps no xattrs");
  }
  // The master's rule: atime moves forward to "now" (here one past the larger of atime, mtime).
  Result<rpc::Attr> TouchAtime(const Caller&, int64_t inode) override {
    std::lock_guard lock(mu_);
    auto it = attrs_.find(inode);
    if (it == attrs_.end()) return Status::NotFound("no inode");
    it->second.atime_ns = std::max(it->second.atime_ns, it->second.mtime_ns) + 1;
    return it->second;
  }
  // Locks: the rules are the master's (tests/unit/master/locks_test.cc); this fake grants every
  // request unless told to refuse, and records each with the commits made before it, so tests
  // can see what the client did around it.
  struct LockCall {
    rpc::FileLock lock;
    size_t commits_before = 0;
  };
  Result<rpc::SetLockReply> SetLock(const Caller&, const rpc::FileLock& lock) override {
    std::lock_guard lock_guard(mu_);
    lock_calls_.push_back({lock, commits_.size()});
    if (refuse_locks_) return Status::WouldBlock("FakeMaster refuses locks");
    rpc::SetLockReply reply;
    if (lock.type != rpc::LockType::UNLOCK) reply.__set_attr(attrs_.at(lock.inode));
    return reply;
  }
  Result<rpc::FileLock> GetLock(const Caller&, const rpc::FileLock& lock) override {
    rpc::FileLock free = lock;
    free.type = rpc::LockType::UNLOCK;
    return free;
  }
  Result<rpc::MountHeartbeatReply> MountHeartbeat(int64_t) override {
    return rpc::MountHeartbeatReply();
  }
  std::vector<LockCall> lock_calls() const {
    std::lock_guard lock(mu_);
    return lock_calls_;
  }
  void set_refuse_locks(bool refuse) {
    std::lock_guard lock(mu_);
    refuse_locks_ = refuse;
  }
  // Another client removed the file's last name; it lives on unnamed (nlink 0).
  void UnlinkBehindTheClient(int64_t inode) {
    std::lock_guard lock(mu_);
    attrs_.at(inode).nlink = 0;
  }
  // Another client resized the file on the master.
  void SetSizeBehindTheClient(int64_t inode, int64_t size) {
    std::lock_guard lock(mu_);
    attrs_.at(inode).size = size;
  }

  int prepare_calls() const {
    std::lock_guard lock(mu_);
    return prepare_calls_;
  }
  int get_chunks_calls() const {
    std::lock_guard lock(mu_);
    return get_chunks_calls_;
  }
  std::vector<std::pair<int64_t, int64_t>> commits() const {
    std::lock_guard lock(mu_);
    return commits_;
  }
  int64_t size(int64_t inode) const {
    std::lock_guard lock(mu_);
    return attrs_.at(inode).size;
  }

 private:
  Result<rpc::Attr> Make(int64_t parent, const std::string& name, int32_t mode,
                         rpc::FileType::type type) {
    std::lock_guard lock(mu_);
    if (names_.count({parent, name})) return Status::AlreadyExists(name);
    rpc::Attr attr;
    attr.inode = next_inode_++;
    attr.type = type;
    attr.mode = mode;
    attr.nlink = 1;
    attr.goal = static_cast<int32_t>(chain_.size());
    attrs_[attr.inode] = attr;
    names_[{parent, name}] = attr.inode;
    return attr;
  }

  const std::vector<rpc::ChunkServerAddress> chain_;
  mutable std::mutex mu_;
  std::vector<std::pair<int64_t, int64_t>> corrupt_reports_;  // (chunk id, server id)
  std::vector<std::pair<int64_t, std::vector<int64_t>>> open_file_reports_;  // (mount, inodes)
  int64_t next_inode_ = 2;
  int64_t next_chunk_id_ = 100;
  std::map<int64_t, rpc::Attr> attrs_;
  std::map<std::pair<int64_t, std::string>, int64_t> names_;
  std::map<std::pair<int64_t, int64_t>, rpc::ChunkInfo> chunks_;
  int prepare_calls_ = 0;
  int get_chunks_calls_ = 0;
  int metadata_syncs_ = 0;
  std::vector<std::pair<int64_t, int64_t>> commits_;
  std::vector<LockCall> lock_calls_;
  bool refuse_locks_ = false;
};

// Chunk servers keyed by port. Writes are applied to the head and forwarded down the chain.
class FakeChunkServers final : public ChunkConnection {
 public:
  struct WriteRecord {
    int port;
    int64_t chunk_id;
    int64_t offset;
    size_t size;
    size_t downstream;
  };

  Result<std::string> ReadChunk(const HostPort& server,
                                const rpc::ReadChunkRequest& request) override {
    std::lock_guard lock(mu_);
    ++reads_[server.port];
    if (!read_error_[server.port].ok()) return read_error_[server.port];
    const std::string& data = data_[server.port][request.chunk_id];
    if (request.offset >= static_cast<int64_t>(data.size())) return std::string();
    return data.substr(request.offset, request.length);
  }

  Status WriteChunk(const HostPort& server, const rpc::WriteChunkRequest& request) override {
    {
      std::unique_lock lock(mu_);
      if (!write_error_[server.port].ok()) return write_error_[server.port];
      ++writes_in_flight_;
      max_writes_in_flight_ = std::max(max_writes_in_flight_, writes_in_flight_);
      changed_.notify_all();
      changed_.wait(lock, [&] { return !writes_held_; });
      --writes_in_flight_;
      writes_.push_back({server.port, request.chunk_id, request.offset, request.data.size(),
                         request.downstream.size()});
      std::string& data = data_[server.port][request.chunk_id];
      size_t end = static_cast<size_t>(request.offset) + request.data.size();
      if (data.size() < end) data.resize(end, '\0');
      data.replace(static_cast<size_t>(request.offset), request.data.size(), request.data);
    }
    if (request.downstream.empty()) return Status::Ok();
    rpc::WriteChunkRequest forwarded = request;
    forwarded.downstream.erase(forwarded.downstream.begin());
    const auto& next = request.downstream.front();
    return WriteChunk({next.host, next.port}, forwarded);
  }

  Status SyncChunk(const HostPort& server, const rpc::SyncChunkRequest& request) override {
    std::lock_guard lock(mu_);
    syncs_.emplace_back(server.port, request.chunk_id);
    return Status::Ok();
  }

  void FailReads(int port, Status status) {
    std::lock_guard lock(mu_);
    read_error_[port] = std::move(status);
  }
  void FailWrites(int port, Status status) {
    std::lock_guard lock(mu_);
    write_error_[port] = std::move(status);
  }
  void HoldWrites(bool hold) {
    std::lock_guard lock(mu_);
    writes_held_ = hold;
    changed_.notify_all();
  }
  // Waits (with a deadline) until `count` writes are blocked in HoldWrites.
  bool WaitForWritesInFlight(int count) {
    std::unique_lock lock(mu_);
    return changed_.wait_for(lock, std::chrono::seconds(10),
                             [&] { return writes_in_flight_ >= count; });
  }
  int max_writes_in_flight() const {
    std::lock_guard lock(mu_);
    return max_writes_in_flight_;
  }
  int reads(int port) const {
    std::lock_guard lock(mu_);
    auto it = reads_.find(port);
    return it == reads_.end() ? 0 : it->second;
  }
  std::vector<WriteRecord> writes() const {
    std::lock_guard lock(mu_);
    return writes_;
  }
  std::vector<std::pair<int, int64_t>> syncs() const {
    std::lock_guard lock(mu_);
    return syncs_;
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable changed_;
  std::map<int, std::map<int64_t, std::string>> data_;
  std::map<int, Status> read_error_;
  std::map<int, Status> write_error_;
  std::map<int, int> reads_;
  std::vector<WriteRecord> writes_;
  std::vector<std::pair<int, int64_t>> syncs_;
  bool writes_held_ = false;
  int writes_in_flight_ = 0;
  int max_writes_in_flight_ = 0;
};

}  // namespace tessera::client::testing
