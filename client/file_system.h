// libtessera-client: the file system as one C++ object, used by tessera-mount and the CLI.
//
// Thread-safety: FileSystem and OpenFile are safe to use from many threads at once (the FUSE
// loop is multi-threaded). Every method returns a Status or Result; nothing throws.
//
// Consistency (DESIGN.md): metadata calls go to the master leader and are linearizable. File
// data is close-to-open: writes are buffered in the client and pipelined to the chunk servers in
// pieces of up to ClientOptions::write_piece_bytes; Flush() and Fsync() return only when every
// replica holds every byte written before the call, and the file size is committed on the
// master. A reader that opens the file after that sees the data.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/address.h"
#include "common/rpc_client_metrics.h"
#include "common/status.h"
#include "gen-cpp/tessera_types.h"

namespace tessera::client {

struct ClientOptions {
  std::vector<HostPort> masters;          // any subset; the leader is found by asking
  int64_t write_piece_bytes = 4 << 20;    // 1..4 MiB; a piece never crosses a chunk boundary
  int max_pieces_in_flight = 4;           // per open file
  int64_t readahead_bytes = 8 << 20;      // for sequential readers; 0 disables readahead
  int rpc_timeout_ms = 30000;
  int master_retry_deadline_ms = 30000;   // how long a call keeps looking for a master leader
  // How long a piece whose chain failed (a replica died, the chunk took a new version) is
  // written again on the chain the master gives now, before the write fails with EIO.
  int write_retry_deadline_ms = 30000;
  // Borrowed, may be null: times and counts every RPC to masters and chunk servers
  // (rpc_client_metrics.h). Outlives the FileSystem.
  RpcClientMetrics* rpc_metrics = nullptr;
};

// One file lock request (FileSystem::SetLock): POSIX record locks over [start, start + length)
// (length 0: to the end of the file) or flock locks over the whole file, owned by `owner` (the
// kernel's lock owner) within this mount.
struct LockRequest {
  int64_t inode = 0;
  uint64_t owner = 0;
  rpc::LockKind::type kind = rpc::LockKind::POSIX;
  rpc::LockType::type type = rpc::LockType::READ;
  int64_t start = 0;
  int64_t length = 0;
  int32_t pid = 0;
};

// Who is calling: passed with every request so the master can check permissions.
// What a directory listing carries besides names.
enum class DirListing { kNamesOnly, kWithAttrs };

struct Caller {
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::vector<uint32_t> groups;
};

class OpenFile {
 public:
  virtual ~OpenFile() = default;
  // Reads up to buf.size() bytes at offset; returns fewer only at end of file. Holes read as
  // zeros. Sees this client's own buffered writes to the same inode.
  virtual Result<size_t> Read(int64_t offset, std::span<std::byte> buf) = 0;
  // Buffers data at offset. An error of an earlier background write of this file is returned by
  // the next Write, Flush or Fsync.
  virtual Status Write(int64_t offset, std::span<const std::byte> data) = 0;
  // Every byte written so far is on every replica and the size is committed on the master.
  virtual Status Flush() = 0;
  // Flush, then fsync on every replica.
  virtual Status Fsync() = 0;
  // O_APPEND: writes `data` at the file's end as the master decides it, so appends of every
  // client land one after another and none overwrites another (the master serializes them).
  // The data becomes visible to other clients at Flush, as any write. Returns the offset used.
  virtual Result<int64_t> Append(std::span<const std::byte> data) = 0;
  // fallocate mode 0: the file is at least `end` bytes long (committed on the master); the new
  // bytes read as zeros. Never shrinks it.
  virtual Status Allocate(int64_t end) = 0;
};

class FileSystem {
 public:
  // REQUIRES: options.masters is not empty. Does not fail when no master answers yet; calls do.
  static Result<std::unique_ptr<FileSystem>> Create(ClientOptions options);
  virtual ~FileSystem() = default;

  virtual Result<rpc::Attr> Lookup(const Caller& caller, int64_t parent, std::string_view name) = 0;
  // Includes this client's own not yet committed size of an open file. NotFound for a file
  // whose last name is gone (nlink 0) unless this mount holds it open.
  virtual Result<rpc::Attr> GetAttr(const Caller& caller, int64_t inode) = 0;
  virtual Result<rpc::Attr> SetAttr(const Caller& caller, int64_t inode,
                                    const rpc::SetAttrRequest& request) = 0;
  virtual Result<rpc::Attr> Mkdir(const Caller& caller, int64_t parent, std::string_view name,
                                  uint32_t mode) = 0;
  virtual Result<rpc::Attr> Create(const Caller& caller, int64_t parent, std::string_view name,
                                   uint32_t mode) = 0;
  // One page of entries after `after_name` ("" for the first page), in name order; with
  // DirListing::kWithAttrs each entry also carries its attributes when the caller may search
  // the directory.
  virtual Result<rpc::ReaddirReply> ReadDir(const Caller& caller, int64_t inode,
                                            std::string_view after_name, int max_entries,
                                            DirListing listing) = 0;
  // How many changes this process has asked the master for so far (any outcome). Attributes
  // read before the count moved may predate one of this mount's own changes.
  virtual uint64_t LocalMutationCount() const = 0;
  // Whether this process holds writes to `inode` that the master has not committed: attributes
  // the master reported before them may show a smaller size than this process has written.
  virtual bool HasUncommittedWrites(int64_t inode) const = 0;
  virtual Status Unlink(const Caller& caller, int64_t parent, std::string_view name) = 0;
  virtual Status Rmdir(const Caller& caller, int64_t parent, std::string_view name) = 0;
  virtual Status Rename(const Caller& caller, int64_t old_parent, std::string_view old_name,
                        int64_t new_parent, std::string_view new_name, uint32_t flags) = 0;
  virtual Result<rpc::StatfsReply> Statfs(const Caller& caller) = 0;
  // A hard link: `new_name` in `new_parent` names the existing non-directory `inode` too.
  virtual Result<rpc::Attr> Link(const Caller& caller, int64_t inode, int64_t new_parent,
                                 std::string_view new_name) = 0;
  // A symbolic link to `target`; readlink is GetAttr's symlink_target.
  virtual Result<rpc::Attr> Symlink(const Caller& caller, int64_t parent, std::string_view name,
                                    std::string_view target) = 0;
  // A FIFO or socket node (type FIFO or SOCKET); regular files come through Create.
  virtual Result<rpc::Attr> Mknod(const Caller& caller, int64_t parent, std::string_view name,
                                  rpc::FileType::type type, uint32_t mode) = 0;
  // Every namespace change acknowledged so far survives a power loss of the master (fsyncdir).
  virtual Status SyncMetadata(const Caller& caller) = 0;
  virtual Result<rpc::ClusterStatus> ClusterStatus() = 0;
  // access(2) as the master judges it: kPermissionDenied unless the caller has every bit of
  // mask (R_OK 4, W_OK 2, X_OK 1; 0 = F_OK) on inode. Open() does not check: callers do first.
  // Answers the attributes as GetAttr would, from the same round trip: an open needs both.
  virtual Result<rpc::Attr> Access(const Caller& caller, int64_t inode, int32_t mask) = 0;

  // Extended attributes (xattr(7); the master's rules: master/xattr_rules.h). flags: 0,
  // XATTR_CREATE or XATTR_REPLACE. kNoData when absent, kNotSupported for system.*.
  virtual Status SetXattr(const Caller& caller, int64_t inode, std::string_view name,
                          std::string_view value, int32_t flags) = 0;
  virtual Result<std::string> GetXattr(const Caller& caller, int64_t inode,
                                       std::string_view name) = 0;
  // The names the caller may see, in byte order.
  virtual Result<std::vector<std::string>> ListXattrs(const Caller& caller, int64_t inode) = 0;
  virtual Status RemoveXattr(const Caller& caller, int64_t inode, std::string_view name) = 0;

  // A read of the regular file `inode` calls for an atime update under the mount's rule
  // (fuse/atime_rule.h decides when): atime becomes the master's time; ctime and mtime stay.
  virtual Result<rpc::Attr> TouchAtime(const Caller& caller, int64_t inode) = 0;

  // Opens a regular file for reading and/or writing. O_TRUNC is applied by the caller through
  // SetAttr(size = 0) before Open, as FUSE does.
  virtual Result<std::unique_ptr<OpenFile>> Open(const Caller& caller, int64_t inode,
                                                 bool writable) = 0;
  // Open for a file whose attributes the caller has just received from this FileSystem (create,
  // getattr, setattr): skips the round trip in which Open learns the current size.
  virtual Result<std::unique_ptr<OpenFile>> OpenWithFreshAttr(const Caller& caller,
                                                              const rpc::Attr& attr,
                                                              bool writable) {
    return Open(caller, attr.inode, writable);
  }

  // ---- file locks, kept by the master across all mounts (master/lock_table.h) ----
  // A file system that keeps no locks (the test fakes) refuses them with kNotSupported.
  //
  // Sets, changes or removes (type UNLOCK) a lock without waiting: kWouldBlock when another
  // owner holds a conflicting lock, kMountExpired once this mount lost its locks. Coherence
  // around locks, as NFS gives it: an unlock or a read lock (which may be a downgrade) first
  // commits this mount's buffered writes of the inode; a granted lock drops this mount's cached
  // data of the inode, so reads see what the previous holder committed. Returns the file's
  // attributes from the master when a lock was granted.
  virtual Result<rpc::Attr> SetLock(const Caller& caller, const LockRequest& request) {
    return Status::NotSupported("this file system keeps no locks");
  }
  // F_GETLK: the first lock of another owner conflicting with `request` (READ or WRITE), or
  // one of type UNLOCK when none does.
  virtual Result<rpc::FileLock> GetLock(const Caller& caller, const LockRequest& request) {
    return Status::NotSupported("this file system keeps no locks");
  }
  // close(): releases every lock of `kind` that `owner` holds on `inode`, after committing the
  // inode's buffered writes. No master call when this mount never locked it for that owner.
  virtual Status ReleaseLocks(const Caller& caller, int64_t inode, uint64_t owner,
                              rpc::LockKind::type kind) {
    return Status::Ok();
  }
};

}  // namespace tessera::client
