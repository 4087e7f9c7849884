#include "client/file_writer.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include "common/logging.h"
#include "common/names.h"

namespace tessera::client {
namespace {
constexpr char kComponent[] = "client";
// Writes at least this large mark a streaming writer (FUSE hands those over in 128 KiB to
// 1 MiB requests).
constexpr size_t kStreamingWriteBytes = size_t{128} << 10;
// Pauses between rewrites of a failed piece.
constexpr int kFirstRewriteBackoffMs = 100;
constexpr int kMaxRewriteBackoffMs = 1000;
}  // namespace

FileWriter::FileWriter(const ClientServices& services, Caller caller,
                       std::shared_ptr<InodeState> state)
    : services_(services),
      caller_(std::move(caller)),
      state_(std::move(state)),
      inode_(state_->inode()) {}

Status FileWriter::FirstError() const {
  std::lock_guard lock(mu_);
  return first_error_;
}

bool FileWriter::HasPendingData() const {
  std::lock_guard lock(mu_);
  return buffered_ || in_flight_ > 0;
}

Status FileWriter::Write(int64_t offset, std::span<const std::byte> data) {
  if (offset < 0) return Status::InvalidArgument("write at negative offset " + std::to_string(offset));
  if (offset > kMaxFileSize || static_cast<int64_t>(data.size()) > kMaxFileSize - offset) {
    return Status::FileTooLarge("write at " + std::to_string(offset) + " of " +
                                std::to_string(data.size()) + " bytes passes the largest file size");
  }
  if (data.empty()) return FirstError();
  // Before taking write_mu_: another writer flushing this one would wait for it (lock order).
  RETURN_IF_ERROR(
      state_->FlushOthersOverlapping(this, offset, static_cast<int64_t>(data.size())));
  std::lock_guard write_lock(write_mu_);
  RETURN_IF_ERROR(FirstError());
  const auto piece_bytes = static_cast<size_t>(services_.options.write_piece_bytes);
  size_t done = 0;
  while (done < data.size()) {
    int64_t position = offset + static_cast<int64_t>(done);
    if (!buffer_.empty() && position != buffer_offset_ + static_cast<int64_t>(buffer_.size())) {
      RETURN_IF_ERROR(SendBuffer());  // not contiguous with the gathered bytes
    }
    if (buffer_.empty()) {
      buffer_offset_ = position;
      // A large write starts a streaming writer whose piece will fill up: size the buffer
      // once instead of reallocating (and copying) it as it grows. Small writers grow it.
      if (data.size() - done >= kStreamingWriteBytes) buffer_.reserve(piece_bytes);
    }
    int64_t chunk_end = (position / kChunkSize + 1) * kChunkSize;
    size_t take = std::min({piece_bytes - buffer_.size(), data.size() - done,
                            static_cast<size_t>(chunk_end - position)});
    buffer_.append(reinterpret_cast<const char*>(data.data() + done), take);
    {
      std::lock_guard lock(mu_);
      buffered_ = true;
    }
    done += take;
    if (buffer_.size() == piece_bytes ||
        buffer_offset_ + static_cast<int64_t>(buffer_.size()) == chunk_end) {
      RETURN_IF_ERROR(SendBuffer());
    }
  }
  int64_t end = offset + static_cast<int64_t>(data.size());
  dirty_end_ = std::max(dirty_end_, end);
  // After buffering, so that readahead never trusts bytes fetched before this write.
  state_->NoteWrite(end);
  return Status::Ok();
}

Result<rpc::ChunkInfo> FileWriter::PrepareChunk(int64_t chunk_index) {
  ASSIGN_OR_RETURN(rpc::ChunkInfo chunk,
                   services_.master.PrepareWrite(caller_, inode_, chunk_index));
  if (chunk.chunk_index != chunk_index || chunk.replicas.empty() || chunk.chunk_id < 0 ||
      chunk.version < 0) {
    return Status::Internal("master answered prepareWrite of inode " + std::to_string(inode_) +
                            " chunk " + std::to_string(chunk_index) + " with an unusable chain");
  }
  LOG(kDebug, kComponent) << "inode " << inode_ << " chunk " << chunk_index << " is chunk "
                          << chunk.chunk_id << " v" << chunk.version << " with "
                          << chunk.replicas.size() << " replicas";
  {
    std::lock_guard lock(mu_);
    prepared_[chunk_index] = chunk;
  }
  services_.locations.Put(inode_, chunk_index, chunk);
  return chunk;
}

Result<rpc::ChunkInfo> FileWriter::PreparedChunk(int64_t chunk_index) {
  {
    std::lock_guard lock(mu_);
    auto it = prepared_.find(chunk_index);
    if (it != prepared_.end()) return it->second;
  }
  return PrepareChunk(chunk_index);
}

Status FileWriter::SendBuffer() {
  if (buffer_.empty()) return Status::Ok();
  int64_t offset = buffer_offset_;
  std::string piece = std::move(buffer_);
  buffer_ = std::string();
  Result<rpc::ChunkInfo> chunk = PreparedChunk(offset / kChunkSize);
  std::unique_lock lock(mu_);
  buffered_ = false;
  if (!chunk.ok()) {
    if (first_error_.ok()) first_error_ = chunk.status();
    LOG(kWarning, kComponent) << "inode " << inode_ << ": cannot prepare chunk "
                              << offset / kChunkSize << ": " << chunk.status().ToString()
                              << "; the file's writes now fail";
    return chunk.status();
  }
  const int64_t end = offset + static_cast<int64_t>(piece.size());
  piece_done_.wait(lock, [&] {
    return in_flight_ < services_.options.max_pieces_in_flight &&
           !OverlapsPieceInFlight(offset, end);
  });
  ++in_flight_;
  in_flight_ranges_.emplace(offset, end);
  lock.unlock();
  services_.pool.Submit(
      [self = shared_from_this(), offset, piece = std::move(piece),
       chunk = std::move(*chunk)]() mutable { self->SendPiece(offset, piece, std::move(chunk)); });
  return Status::Ok();
}

bool FileWriter::OverlapsPieceInFlight(int64_t offset, int64_t end) const {
  // Pieces are at most write_piece_bytes long and few (max_pieces_in_flight): a scan is cheap.
  for (const auto& [start, stop] : in_flight_ranges_) {
    if (start < end && offset < stop) return true;
  }
  return false;
}

void FileWriter::SendPiece(int64_t offset, std::string& data, rpc::ChunkInfo chunk) {
  const std::string request_id = services_.request_ids.Next();
  const int64_t chunk_index = offset / kChunkSize;
  const int64_t chunk_offset = offset % kChunkSize;
  Status status = services_.chunks.Write(chunk, chunk_offset, data, false, request_id);
  // A replica of the chain died, lost its disk or its copy, had no room for a new chunk, or the
  // chunk took a new version while it was re-replicated: the whole piece goes again to the
  // chain the master gives now, which holds only live replicas at the current version (a chunk
  // server that could not create the chunk reported it gone). Nothing was acknowledged yet, so
  // rewriting is safe.
  const int64_t deadline = services_.clock.NowMonotonicNanos() +
                           int64_t{services_.options.write_retry_deadline_ms} * 1'000'000;
  auto backoff = std::chrono::milliseconds(kFirstRewriteBackoffMs);
  while (IsRewritable(status) && services_.clock.NowMonotonicNanos() < deadline) {
    LOG_REQ(kInfo, kComponent, request_id)
        << "chunk " << chunk.chunk_id << " v" << chunk.version << ": piece at " << offset
        << " failed (" << status.ToString() << "); writing it again on a fresh chain";
    if (status.code() != StatusCode::kStaleVersion) {
      // The master needs a moment to declare a dead server dead; do not spin meanwhile.
      std::this_thread::sleep_for(backoff);
      backoff = std::min(backoff * 2, std::chrono::milliseconds(kMaxRewriteBackoffMs));
    }
    Result<rpc::ChunkInfo> fresh = PrepareChunk(chunk_index);
    if (!fresh.ok()) {
      status = fresh.status();
      // The master's NO_SPACE is final: no chunk server in the cluster has room.
      if (status.code() == StatusCode::kNoSpace) break;
      continue;
    }
    chunk = std::move(*fresh);
    status = services_.chunks.Write(chunk, chunk_offset, data, false, request_id);
  }
  if (!status.ok()) services_.locations.Erase(inode_, chunk_index);
  std::lock_guard lock(mu_);
  if (status.ok()) {
    unsynced_[chunk_index] = std::move(chunk);
  } else if (first_error_.ok()) {
    first_error_ = status;
    LOG_REQ(kWarning, kComponent, request_id)
        << "inode " << inode_ << ": piece at " << offset << " (" << data.size()
        << " bytes) was not written: " << status.ToString() << "; the file's writes now fail";
  }
  --in_flight_;
  const int64_t end = offset + static_cast<int64_t>(data.size());
  for (auto [it, last] = in_flight_ranges_.equal_range(offset); it != last; ++it) {
    if (it->second == end) {
      in_flight_ranges_.erase(it);
      break;
    }
  }
  piece_done_.notify_all();
}

bool FileWriter::IsRewritable(const Status& status) {
  switch (status.code()) {
    case StatusCode::kStaleVersion:
    case StatusCode::kUnavailable:
    case StatusCode::kIoError:
    case StatusCode::kNoSpace:     // that chunk server is full; others may have room
    case StatusCode::kCorruption:  // that replica's copy was bad and is gone now
      return true;
    default:
      return false;
  }
}

Status FileWriter::WaitForPieces() {
  std::unique_lock lock(mu_);
  piece_done_.wait(lock, [&] { return in_flight_ == 0; });
  return first_error_;
}

Status FileWriter::FlushRange(int64_t offset, int64_t length) {
  std::lock_guard write_lock(write_mu_);
  int64_t buffer_end = buffer_offset_ + static_cast<int64_t>(buffer_.size());
  if (!buffer_.empty() && buffer_offset_ < offset + length && offset < buffer_end) {
    RETURN_IF_ERROR(SendBuffer());
  }
  // Pieces are few (max_pieces_in_flight); waiting for all is simpler than tracking ranges.
  return WaitForPieces();
}

Status FileWriter::Flush() {
  std::lock_guard write_lock(write_mu_);
  RETURN_IF_ERROR(SendBuffer());
  RETURN_IF_ERROR(WaitForPieces());
  if (dirty_end_ == 0) return Status::Ok();
  ASSIGN_OR_RETURN(rpc::Attr attr, services_.master.CommitWrite(caller_, inode_, dirty_end_,
                                                                services_.clock.NowUnixNanos()));
  LOG(kDebug, kComponent) << "inode " << inode_ << ": committed writes up to " << dirty_end_
                          << ", size now " << attr.size;
  state_->NoteCommitted(dirty_end_, attr.size);
  dirty_end_ = 0;
  return Status::Ok();
}

Status FileWriter::Fsync() {
  RETURN_IF_ERROR(Flush());
  std::lock_guard write_lock(write_mu_);
  std::map<int64_t, rpc::ChunkInfo> unsynced;
  {
    std::lock_guard lock(mu_);
    unsynced = unsynced_;
  }
  if (unsynced.empty()) return services_.master.SyncMetadata(caller_);
  // Every chunk's chain syncs at the same time: the replicas' disks flush in parallel instead of
  // one chunk after another, which dominates fsync of a large file.
  struct SyncBatch {
    std::mutex mu;
    std::condition_variable done;
    size_t remaining;
    Status first_error;
  };
  auto batch = std::make_shared<SyncBatch>();
  batch->remaining = unsynced.size();
  const std::string request_id = services_.request_ids.Next();
  for (const auto& [chunk_index, chunk] : unsynced) {
    services_.pool.Submit([this, batch, chunk_index = chunk_index, chunk = chunk, request_id] {
      Status status = services_.chunks.Sync(chunk, request_id);
      if (status.ok()) {
        std::lock_guard lock(mu_);
        // A piece sent meanwhile may have replaced the entry with a newer version; keep that.
        auto it = unsynced_.find(chunk_index);
        if (it != unsynced_.end() && it->second.version == chunk.version) unsynced_.erase(it);
      }
      std::lock_guard lock(batch->mu);
      if (!status.ok() && batch->first_error.ok()) batch->first_error = status;
      if (--batch->remaining == 0) batch->done.notify_all();
    });
  }
  {
    std::unique_lock lock(batch->mu);
    batch->done.wait(lock, [&] { return batch->remaining == 0; });
    RETURN_IF_ERROR(batch->first_error);
  }
  // The size committed by Flush must survive a power loss too, not only the bytes.
  return services_.master.SyncMetadata(caller_);
}

}  // namespace tessera::client
