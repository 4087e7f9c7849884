#include "client/file_system_impl.h"

#include <algorithm>

#include "client/master_client.h"
#include "client/open_file_impl.h"
#include "client/truncate_tail.h"
#include "common/logging.h"
#include "common/names.h"

namespace tessera::client {
namespace {
constexpr int32_t kMayWriteMask = 2;  // access(2)'s W_OK

constexpr int kMaxReaddirEntries = 100000;
constexpr int64_t kMaxReadaheadBytes = int64_t{256} << 20;
constexpr int kMaxPiecesInFlight = 64;

Status ValidInode(int64_t inode) {
  if (inode < kRootInode) return Status::InvalidArgument("invalid inode " + std::to_string(inode));
  return Status::Ok();
}

int32_t PermissionBits(uint32_t mode) { return static_cast<int32_t>(mode & 07777); }

int PoolThreads(const ClientOptions& options) { return options.max_pieces_in_flight * 2 + 2; }

}  // namespace

Status ValidateClientOptions(const ClientOptions& options) {
  if (options.masters.empty()) return Status::InvalidArgument("no master address given");
  if (options.write_piece_bytes < 1 || options.write_piece_bytes > kMaxIoBytes) {
    return Status::InvalidArgument("write_piece_bytes must be 1.." + std::to_string(kMaxIoBytes));
  }
  if (options.max_pieces_in_flight < 1 || options.max_pieces_in_flight > kMaxPiecesInFlight) {
    return Status::InvalidArgument("max_pieces_in_flight must be 1.." +
                                   std::to_string(kMaxPiecesInFlight));
  }
  if (options.readahead_bytes < 0 || options.readahead_bytes > kMaxReadaheadBytes) {
    return Status::InvalidArgument("readahead_bytes must be 0.." +
                                   std::to_string(kMaxReadaheadBytes));
  }
  if (options.rpc_timeout_ms < 1) return Status::InvalidArgument("rpc_timeout_ms must be >= 1");
  if (options.master_retry_deadline_ms < 0) {
    return Status::InvalidArgument("master_retry_deadline_ms must be >= 0");
  }
  return Status::Ok();
}

Result<std::unique_ptr<FileSystem>> FileSystem::Create(ClientOptions options) {
  RETURN_IF_ERROR(ValidateClientOptions(options));
  RpcClientOptions rpc_options;
  rpc_options.io_timeout_ms = options.rpc_timeout_ms;
  rpc_options.connect_timeout_ms = std::min(options.rpc_timeout_ms, 2000);
  MasterClientOptions master_options;
  master_options.masters = options.masters;
  master_options.retry_deadline_ms = options.master_retry_deadline_ms;
  master_options.rpc_metrics = options.rpc_metrics;
  auto master = std::make_unique<MasterClient>(std::move(master_options),
                                               NewThriftMasterChannel(rpc_options));
  auto chunk_connection = NewThriftChunkConnection(rpc_options, options.rpc_metrics);
  // The process clock is stateless; one static instance serves every FileSystem.
  static const SystemClock kSystemClock;
  return std::unique_ptr<FileSystem>(std::make_unique<FileSystemImpl>(
      std::move(options), std::move(master), std::move(chunk_connection), kSystemClock));
}

FileSystemImpl::FileSystemImpl(ClientOptions options, std::unique_ptr<MasterConnection> master,
                               std::unique_ptr<ChunkConnection> chunk_connection,
                               const Clock& clock)
    : options_(std::move(options)),
      master_(std::move(master)),
      chunk_connection_(std::move(chunk_connection)),
      clock_(clock),
      chunks_(*chunk_connection_, clock_,
              [this](int64_t chunk_id, int64_t server_id) {
                // Off the reading thread: the read has already moved on to a good replica.
                pool_.Submit([this, chunk_id, server_id] {
                  Status reported = master_->ReportCorruptReplica(chunk_id, server_id);
                  LOG(kWarning, "client") << "reported the corrupt replica of chunk " << chunk_id
                                          << " on server " << server_id << " to the master: "
                                          << reported.ToString();
                });
              }),
      services_{options_, *master_, chunks_, locations_, pool_, request_ids_, clock_},
      pool_(PoolThreads(options_)) {}

FileSystemImpl::~FileSystemImpl() = default;

rpc::Attr FileSystemImpl::Overlay(rpc::Attr attr) const {
  if (auto state = inodes_.Find(attr.inode)) {
    state->NoteMasterSize(attr.size);
    attr.size = state->VisibleSize();
  }
  return attr;
}

bool FileSystemImpl::HasUncommittedWrites(int64_t inode) const {
  std::shared_ptr<InodeState> state = inodes_.Find(inode);
  return state != nullptr && state->LocalUncommittedEnd() > 0;
}

Result<rpc::Attr> FileSystemImpl::Lookup(const Caller& caller, int64_t parent,
                                         std::string_view name) {
  RETURN_IF_ERROR(ValidInode(parent));
  RETURN_IF_ERROR(ValidateName(name));
  ASSIGN_OR_RETURN(rpc::Attr attr, master_->Lookup(caller, parent, std::string(name)));
  return Overlay(std::move(attr));
}

Result<rpc::Attr> FileSystemImpl::GetAttr(const Caller& caller, int64_t inode) {
  RETURN_IF_ERROR(ValidInode(inode));
  ASSIGN_OR_RETURN(rpc::Attr attr, master_->GetAttr(caller, inode));
  return AttrForThisMount(std::move(attr));
}

Result<rpc::Attr> FileSystemImpl::AttrForThisMount(rpc::Attr attr) const {
  const int64_t inode = attr.inode;
  // A file whose last name is gone lives on only for the descriptors that hold it
  // (master/ops/unlinked_inode.cc). Reached without one, the caller came through a name the
  // kernel still caches after another mount removed it: answer as if the name were gone, so
  // that stat fails and open(O_CREAT) of the name makes a new file instead of writing into
  // the unnamed one (SQLite's journal is removed and recreated by each writer in turn).
  if (attr.type == rpc::FileType::REGULAR && attr.nlink == 0 && inodes_.Find(inode) == nullptr) {
    return Status::NotFound("inode " + std::to_string(inode) +
                            " has no name left and is not open on this mount");
  }
  return Overlay(std::move(attr));
}

Result<rpc::Attr> FileSystemImpl::SetAttr(const Caller& caller, int64_t inode,
                                          const rpc::SetAttrRequest& request) {
  RETURN_IF_ERROR(ValidInode(inode));
  if (request.__isset.mode && (request.mode & ~07777) != 0) {
    return Status::InvalidArgument("mode has bits outside 07777");
  }
  if (request.__isset.size && request.size < 0) {
    return Status::InvalidArgument("size " + std::to_string(request.size) + " is negative");
  }
  if (request.__isset.size && request.size > kMaxFileSize) {
    return Status::FileTooLarge("size " + std::to_string(request.size) +
                                " passes the largest file size");
  }
  // Buffered writes must land (and be committed) before any attribute change, as on a local
  // file system where a write takes effect at once: a later commit would grow the file again
  // after a truncate, overwrite the mtime just set, and drop setuid/setgid just set by a
  // non-root chmod (tar -p writes, then fchmod and futimens the file before closing it).
  std::shared_ptr<InodeState> state = inodes_.Find(inode);
  if (state) RETURN_IF_ERROR(state->FlushAllWriters());
  if (request.__isset.size && request.size % kChunkSize != 0) {
    // Shrinking into a chunk: its bytes past the new end must read as zeros if the file grows
    // again (truncate_tail.h).
    ASSIGN_OR_RETURN(rpc::Attr before, master_->GetAttr(caller, inode));
    if (before.type == rpc::FileType::REGULAR && request.size < before.size) {
      // The zeros are written before the master judges the truncate: ask it first whether the
      // caller may write here, so a refused truncate changes nothing. A truncate through a
      // writable descriptor had its permission judged at open (POSIX ftruncate).
      if (!request.through_writable_handle) {
        RETURN_IF_ERROR(master_->Access(caller, inode, kMayWriteMask).status());
      }
      RETURN_IF_ERROR(ZeroCutChunkTail(services_, caller, inode, before.size, request.size));
    }
  }
  // Not open here: the caller came through a name, which another mount may have removed while a
  // descriptor elsewhere keeps the file. chmod or touch of a removed name must not reach it.
  rpc::SetAttrRequest sent = request;
  sent.require_name = state == nullptr;
  ASSIGN_OR_RETURN(rpc::Attr attr, master_->SetAttr(caller, inode, sent));
  if (request.__isset.size) {
    locations_.EraseInode(inode);
    if (state) state->NoteTruncated(attr.size);
    LOG(kDebug, "client") << "inode " << inode << " resized to " << attr.size;
  }
  return Overlay(std::move(attr));
}

Result<rpc::Attr> FileSystemImpl::Mkdir(const Caller& caller, int64_t parent, std::string_view name,
                                        uint32_t mode) {
  RETURN_IF_ERROR(ValidInode(parent));
  RETURN_IF_ERROR(ValidateName(name));
  return master_->Mkdir(caller, parent, std::string(name), PermissionBits(mode));
}

Result<rpc::Attr> FileSystemImpl::Create(const Caller& caller, int64_t parent,
                                         std::string_view name, uint32_t mode) {
  RETURN_IF_ERROR(ValidInode(parent));
  RETURN_IF_ERROR(ValidateName(name));
  return master_->Create(caller, parent, std::string(name), PermissionBits(mode));
}

Result<rpc::ReaddirReply> FileSystemImpl::ReadDir(const Caller& caller, int64_t inode,
                                                  std::string_view after_name, int max_entries,
                                                  DirListing listing) {
  RETURN_IF_ERROR(ValidInode(inode));
  if (!after_name.empty()) RETURN_IF_ERROR(ValidateName(after_name));
  if (max_entries < 1 || max_entries > kMaxReaddirEntries) {
    return Status::InvalidArgument("max_entries must be 1.." + std::to_string(kMaxReaddirEntries));
  }
  ASSIGN_OR_RETURN(rpc::ReaddirReply reply,
                   master_->Readdir(caller, inode, std::string(after_name), max_entries,
                                    listing == DirListing::kWithAttrs));
  // As for lookups: this mount's buffered writes are part of what it reports.
  for (rpc::DirEntry& entry : reply.entries) {
    if (entry.__isset.attr) entry.attr = Overlay(std::move(entry.attr));
  }
  return reply;
}

Status FileSystemImpl::Unlink(const Caller& caller, int64_t parent, std::string_view name) {
  RETURN_IF_ERROR(ValidInode(parent));
  RETURN_IF_ERROR(ValidateName(name));
  return master_->Unlink(caller, parent, std::string(name));
}

Status FileSystemImpl::Rmdir(const Caller& caller, int64_t parent, std::string_view name) {
  RETURN_IF_ERROR(ValidInode(parent));
  RETURN_IF_ERROR(ValidateName(name));
  return master_->Rmdir(caller, parent, std::string(name));
}

Status FileSystemImpl::Rename(const Caller& caller, int64_t old_parent, std::string_view old_name,
                              int64_t new_parent, std::string_view new_name, uint32_t flags) {
  RETURN_IF_ERROR(ValidInode(old_parent));
  RETURN_IF_ERROR(ValidInode(new_parent));
  RETURN_IF_ERROR(ValidateName(old_name));
  RETURN_IF_ERROR(ValidateName(new_name));
  RETURN_IF_ERROR(ValidateRenameFlags(flags));
  return master_->Rename(caller, old_parent, std::string(old_name), new_parent,
                         std::string(new_name), static_cast<int32_t>(flags));
}

Result<rpc::Attr> FileSystemImpl::Link(const Caller& caller, int64_t inode, int64_t new_parent,
                                       std::string_view new_name) {
  RETURN_IF_ERROR(ValidInode(inode));
  RETURN_IF_ERROR(ValidInode(new_parent));
  RETURN_IF_ERROR(ValidateName(new_name));
  ASSIGN_OR_RETURN(rpc::Attr attr, master_->Link(caller, inode, new_parent, std::string(new_name)));
  return Overlay(std::move(attr));
}

Result<rpc::Attr> FileSystemImpl::Symlink(const Caller& caller, int64_t parent,
                                          std::string_view name, std::string_view target) {
  RETURN_IF_ERROR(ValidInode(parent));
  RETURN_IF_ERROR(ValidateName(name));
  RETURN_IF_ERROR(ValidateSymlinkTarget(target));
  return master_->Symlink(caller, parent, std::string(name), std::string(target));
}

Result<rpc::Attr> FileSystemImpl::Mknod(const Caller& caller, int64_t parent,
                                        std::string_view name, rpc::FileType::type type,
                                        uint32_t mode) {
  RETURN_IF_ERROR(ValidInode(parent));
  RETURN_IF_ERROR(ValidateName(name));
  if (type != rpc::FileType::FIFO && type != rpc::FileType::SOCKET) {
    return Status::InvalidArgument("mknod makes FIFOs and sockets only");
  }
  return master_->Mknod(caller, parent, std::string(name), type, PermissionBits(mode));
}

Status FileSystemImpl::SyncMetadata(const Caller& caller) { return master_->SyncMetadata(caller); }

Result<rpc::Attr> FileSystemImpl::Access(const Caller& caller, int64_t inode, int32_t mask) {
  RETURN_IF_ERROR(ValidInode(inode));
  ASSIGN_OR_RETURN(rpc::Attr attr, master_->Access(caller, inode, mask));
  return AttrForThisMount(std::move(attr));
}

Result<rpc::StatfsReply> FileSystemImpl::Statfs(const Caller& caller) {
  return master_->Statfs(caller);
}

Result<rpc::ClusterStatus> FileSystemImpl::ClusterStatus() { return master_->ClusterStatus(); }

Result<rpc::Attr> FileSystemImpl::TouchAtime(const Caller& caller, int64_t inode) {
  RETURN_IF_ERROR(ValidInode(inode));
  ASSIGN_OR_RETURN(rpc::Attr attr, master_->TouchAtime(caller, inode));
  return Overlay(std::move(attr));
}

Result<std::unique_ptr<OpenFile>> FileSystemImpl::Open(const Caller& caller, int64_t inode,
                                                       bool writable) {
  RETURN_IF_ERROR(ValidInode(inode));
  ASSIGN_OR_RETURN(rpc::Attr attr, master_->GetAttr(caller, inode));
  return OpenWithFreshAttr(caller, Overlay(std::move(attr)), writable);
}

Result<std::unique_ptr<OpenFile>> FileSystemImpl::OpenWithFreshAttr(const Caller& caller,
                                                                    const rpc::Attr& attr,
                                                                    bool writable) {
  const int64_t inode = attr.inode;
  RETURN_IF_ERROR(ValidInode(inode));
  if (attr.type == rpc::FileType::DIRECTORY) {
    return Status::IsDirectory("inode " + std::to_string(inode) + " is a directory");
  }
  if (attr.type != rpc::FileType::REGULAR) {
    return Status::InvalidArgument("inode " + std::to_string(inode) + " is not a regular file");
  }
  std::shared_ptr<InodeState> state = inodes_.GetOrCreate(inode, attr.size);
  // Close-to-open: chunks written by others before this open must be found afresh.
  locations_.EraseInode(inode);
  return std::unique_ptr<OpenFile>(
      std::make_unique<OpenFileImpl>(services_, caller, std::move(state), writable));
}

// Names and values are checked by the master, the one place that knows the xattr rules.
Status FileSystemImpl::SetXattr(const Caller& caller, int64_t inode, std::string_view name,
                                std::string_view value, int32_t flags) {
  RETURN_IF_ERROR(ValidInode(inode));
  return master_->SetXattr(caller, inode, std::string(name), std::string(value), flags);
}

Result<std::string> FileSystemImpl::GetXattr(const Caller& caller, int64_t inode,
                                             std::string_view name) {
  RETURN_IF_ERROR(ValidInode(inode));
  return master_->GetXattr(caller, inode, std::string(name));
}

Result<std::vector<std::string>> FileSystemImpl::ListXattrs(const Caller& caller, int64_t inode) {
  RETURN_IF_ERROR(ValidInode(inode));
  return master_->ListXattrs(caller, inode);
}

Status FileSystemImpl::RemoveXattr(const Caller& caller, int64_t inode, std::string_view name) {
  RETURN_IF_ERROR(ValidInode(inode));
  return master_->RemoveXattr(caller, inode, std::string(name));
}

Result<rpc::Attr> FileSystemImpl::SetLock(const Caller& caller, const LockRequest& request) {
  return locks_.Set(caller, request);
}

Result<rpc::FileLock> FileSystemImpl::GetLock(const Caller& caller, const LockRequest& request) {
  return locks_.Get(caller, request);
}

Status FileSystemImpl::ReleaseLocks(const Caller& caller, int64_t inode, uint64_t owner,
                                    rpc::LockKind::type kind) {
  return locks_.Release(caller, inode, owner, kind);
}

}  // namespace tessera::client
