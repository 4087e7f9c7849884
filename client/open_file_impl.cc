#include "client/open_file_impl.h"

#include <algorithm>

#include "common/logging.h"
#include "common/names.h"

namespace tessera::client {

OpenFileImpl::OpenFileImpl(const ClientServices& services, Caller caller,
                           std::shared_ptr<InodeState> state, bool writable)
    : services_(services),
      caller_(std::move(caller)),
      state_(std::move(state)),
      reader_(services_, caller_, state_->inode()) {
  if (services_.options.readahead_bytes > 0) {
    // The fetch owns its reader: it may still run after this OpenFile is gone.
    readahead_ = std::make_shared<Readahead>(
        services_.pool, services_.options.readahead_bytes,
        [reader = ChunkRangeReader(services_, caller_, state_->inode())](
            int64_t offset, std::span<std::byte> out) mutable { return reader.Read(offset, out); });
  }
  if (writable) {
    writer_ = std::make_shared<FileWriter>(services_, caller_, state_);
    state_->AddWriter(writer_);
  }
}

OpenFileImpl::~OpenFileImpl() {
  if (!writer_) return;
  Status status = writer_->Flush();
  if (!status.ok()) {
    LOG(kWarning, "client") << "inode " << state_->inode()
                            << ": writes not flushed when the file was closed: "
                            << status.ToString();
  }
}

Result<int64_t> OpenFileImpl::SizeFor(int64_t end) {
  int64_t size = state_->VisibleSize();
  if (end <= size) return size;
  // Close-to-open: the size learned at open suffices inside the file; past it, ask again.
  ASSIGN_OR_RETURN(rpc::Attr attr, services_.master.GetAttr(caller_, state_->inode()));
  state_->NoteMasterSize(attr.size);
  return state_->VisibleSize();
}

Result<size_t> OpenFileImpl::Read(int64_t offset, std::span<std::byte> buf) {
  if (offset < 0) {
    return Status::InvalidArgument("read offset " + std::to_string(offset) + " is negative");
  }
  // No file reaches past the largest size: a read there is at the end of the file.
  if (buf.empty() || offset >= kMaxFileSize) return size_t{0};
  // Taken before pending writes are checked, so a write racing with this read can only make
  // the readahead window unusable, never stale.
  const uint64_t generation = state_->generation();
  const int64_t wanted = std::min<int64_t>(static_cast<int64_t>(buf.size()), kMaxFileSize - offset);
  RETURN_IF_ERROR(state_->FlushOverlapping(offset, wanted));
  ASSIGN_OR_RETURN(int64_t size, SizeFor(offset + wanted));
  if (offset >= size) return size_t{0};
  auto out = buf.first(static_cast<size_t>(std::min(wanted, size - offset)));

  size_t served = readahead_ ? readahead_->Serve(offset, out, generation) : 0;
  if (served < out.size()) {
    RETURN_IF_ERROR(reader_.Read(offset + static_cast<int64_t>(served), out.subspan(served)));
  }

  const int64_t end = offset + static_cast<int64_t>(out.size());
  bool sequential;
  {
    std::lock_guard lock(mu_);
    sequential = offset == next_sequential_offset_;
    next_sequential_offset_ = end;
  }
  if (readahead_ && sequential && !state_->HasPendingWrites()) {
    readahead_->Advance(end, size, generation);
  }
  return out.size();
}

Status OpenFileImpl::Write(int64_t offset, std::span<const std::byte> data) {
  if (!writer_) return Status::PermissionDenied("file was not opened for writing");
  return writer_->Write(offset, data);
}

Status OpenFileImpl::Flush() { return writer_ ? writer_->Flush() : Status::Ok(); }

Status OpenFileImpl::Fsync() { return writer_ ? writer_->Fsync() : Status::Ok(); }

Result<int64_t> OpenFileImpl::Append(std::span<const std::byte> data) {
  if (!writer_) return Status::PermissionDenied("file was not opened for writing");
  const auto length = static_cast<int64_t>(data.size());
  // The master places the append at the end it knows. Writes buffered by this process (through
  // other descriptors) that grow the file must reach it first, or the append would land inside
  // them and be overwritten when they commit: on a local file system they are part of the file
  // at once. Appends of this descriptor alone never trigger the flush: each one moved the
  // master's end itself.
  if (state_->HasUncommittedGrowth()) RETURN_IF_ERROR(state_->FlushAllWriters());
  ASSIGN_OR_RETURN(rpc::Attr attr, services_.master.ReserveAppend(caller_, state_->inode(), length,
                                                                  services_.clock.NowUnixNanos()));
  const int64_t offset = attr.size - length;
  if (offset < 0) {
    return Status::Internal("master reserved an append ending at " + std::to_string(attr.size) +
                            ", before its length " + std::to_string(length));
  }
  state_->NoteMasterSize(attr.size);
  RETURN_IF_ERROR(writer_->Write(offset, data));
  return offset;
}

Status OpenFileImpl::Allocate(int64_t end) {
  if (!writer_) return Status::PermissionDenied("file was not opened for writing");
  if (end < 0) return Status::InvalidArgument("allocation end " + std::to_string(end) + " is negative");
  if (end > kMaxFileSize) {
    return Status::FileTooLarge("allocation end " + std::to_string(end) +
                                " passes the largest file size");
  }
  // Writes still buffered would be committed after the size and are harmless, but flushing first
  // keeps the committed size and the data in one order for readers of other clients.
  RETURN_IF_ERROR(writer_->Flush());
  ASSIGN_OR_RETURN(rpc::Attr attr, services_.master.CommitWrite(caller_, state_->inode(), end,
                                                                services_.clock.NowUnixNanos()));
  state_->NoteMasterSize(attr.size);
  return Status::Ok();
}

}  // namespace tessera::client
