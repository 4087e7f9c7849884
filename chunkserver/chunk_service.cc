#include "chunkserver/chunk_service.h"

#include <future>
#include <span>
#include <thread>

#include "chunkserver/request_validation.h"
#include "common/logging.h"
#include "common/rpc_errors.h"

namespace tessera {
namespace {

constexpr char kComponent[] = "chunkserver";

// Counts a request as active for the lifetime of the guard (reported in heartbeats).
class ActiveRequest {
 public:
  explicit ActiveRequest(std::atomic<int32_t>& counter) : counter_(counter) { ++counter_; }
  ~ActiveRequest() { --counter_; }
  ActiveRequest(const ActiveRequest&) = delete;
  ActiveRequest& operator=(const ActiveRequest&) = delete;

 private:
  std::atomic<int32_t>& counter_;
};

HostPort AddressOf(const rpc::ChunkServerAddress& replica) {
  return HostPort{replica.host, replica.port};
}

std::span<const std::byte> AsBytes(const std::string& s) {
  return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}

// The local outcome wins when both failed: it is the more specific one (e.g. STALE_VERSION).
Status Combine(const Status& local, const Status& downstream) {
  return local.ok() ? downstream : local;
}

}  // namespace

ChunkService::ChunkService(ChunkStore* store, RpcClientOptions peer_options,
                           ReplicationOptions replication)
    : store_(store),
      replicas_(peer_options),
      replication_source_(&replicas_),
      replicator_(store, &replication_source_, replication, &clock_,
                  [](std::chrono::nanoseconds wait) { std::this_thread::sleep_for(wait); }) {}

Status ChunkService::ForwardWrite(const rpc::WriteChunkRequest& request) {
  const HostPort next = AddressOf(request.downstream.front());
  rpc::WriteChunkRequest forwarded = request;
  forwarded.downstream.erase(forwarded.downstream.begin());
  RpcOutcome outcome = replicas_.Call(
      next, [&](rpc::ChunkServerServiceClient& client) { client.writeChunk(forwarded); });
  if (outcome.status.ok()) return Status::Ok();
  return Status::IoError("replica " + next.ToString() + " failed: " + outcome.status.ToString());
}

Status ChunkService::ForwardSync(const rpc::SyncChunkRequest& request) {
  const HostPort next = AddressOf(request.downstream.front());
  rpc::SyncChunkRequest forwarded = request;
  forwarded.downstream.erase(forwarded.downstream.begin());
  RpcOutcome outcome = replicas_.Call(
      next, [&](rpc::ChunkServerServiceClient& client) { client.syncChunk(forwarded); });
  if (outcome.status.ok()) return Status::Ok();
  return Status::IoError("replica " + next.ToString() + " failed: " + outcome.status.ToString());
}

Status ChunkService::Write(const rpc::WriteChunkRequest& request) {
  ActiveRequest active(active_requests_);
  RETURN_IF_ERROR(ValidateWriteRequest(request));
  std::future<Status> downstream;
  if (!request.downstream.empty()) {
    downstream = std::async(std::launch::async, [this, &request] { return ForwardWrite(request); });
  }
  Status local = store_->Write(request.chunk_id, request.version, request.offset,
                               AsBytes(request.data), request.sync);
  if (local.ok()) {
    bytes_written_.fetch_add(static_cast<int64_t>(request.data.size()), std::memory_order_relaxed);
  }
  Status result = Combine(local, downstream.valid() ? downstream.get() : Status::Ok());
  if (!result.ok()) {
    LOG_REQ(kWarning, kComponent, request.request_id)
        << "write chunk " << request.chunk_id << " version " << request.version << " offset "
        << request.offset << " len " << request.data.size() << " failed: " << result.ToString();
  }
  return result;
}

Result<std::string> ChunkService::Read(const rpc::ReadChunkRequest& request) {
  ActiveRequest active(active_requests_);
  RETURN_IF_ERROR(ValidateReadRequest(request));
  Result<std::string> data =
      store_->Read(request.chunk_id, request.version, request.offset, request.length);
  if (data.ok()) {
    bytes_read_.fetch_add(static_cast<int64_t>(data->size()), std::memory_order_relaxed);
  }
  if (!data.ok() && data.status().code() == StatusCode::kCorruption) {
    ++corruptions_detected_;
    LOG_REQ(kError, kComponent, request.request_id)
        << "corruption detected: " << data.status().message() << " (read offset "
        << request.offset << " len " << request.length << ")";
  }
  return data;
}

Status ChunkService::Sync(const rpc::SyncChunkRequest& request) {
  ActiveRequest active(active_requests_);
  RETURN_IF_ERROR(ValidateSyncRequest(request));
  std::future<Status> downstream;
  if (!request.downstream.empty()) {
    downstream = std::async(std::launch::async, [this, &request] { return ForwardSync(request); });
  }
  Status local = store_->Sync(request.chunk_id, request.version);
  Status result = Combine(local, downstream.valid() ? downstream.get() : Status::Ok());
  if (!result.ok()) {
    LOG_REQ(kWarning, kComponent, request.request_id)
        << "sync chunk " << request.chunk_id << " failed: " << result.ToString();
  }
  return result;
}

Result<rpc::ReplicateChunkReply> ChunkService::Replicate(
    const rpc::ReplicateChunkRequest& request) {
  ActiveRequest active(active_requests_);
  Status valid = ValidateReplicateRequest(request);
  if (!valid.ok()) {
    LOG_REQ(kWarning, kComponent, request.request_id)
        << "replicate chunk " << request.chunk_id << " refused: " << valid.ToString();
    return valid;
  }
  return replicator_.Replicate(request);  // logs its outcome
}

rpc::ChunkServerStats ChunkService::Stats() const {
  SpaceStats space = store_->Space();
  rpc::ChunkServerStats stats;
  stats.total_bytes = space.total_bytes;
  stats.free_bytes = space.free_bytes;
  stats.chunk_count = store_->chunk_count();
  stats.active_requests = active_requests_.load();
  stats.data_dirs_ok = space.dirs_ok;
  stats.data_dirs_failed = space.dirs_failed;
  return stats;
}

void ChunkService::writeChunk(const rpc::WriteChunkRequest& request) {
  ThrowIfError(Write(request));
}

void ChunkService::readChunk(std::string& _return, const rpc::ReadChunkRequest& request) {
  Result<std::string> data = Read(request);
  ThrowIfError(data.status());
  _return = std::move(*data);
}

void ChunkService::syncChunk(const rpc::SyncChunkRequest& request) {
  ThrowIfError(Sync(request));
}

void ChunkService::stats(rpc::ChunkServerStats& _return) { _return = Stats(); }

void ChunkService::replicateChunk(rpc::ReplicateChunkReply& _return,
                                  const rpc::ReplicateChunkRequest& request) {
  Result<rpc::ReplicateChunkReply> reply = Replicate(request);
  ThrowIfError(reply.status());
  _return = std::move(*reply);
}

}  // namespace tessera
