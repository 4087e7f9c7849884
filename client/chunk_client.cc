#include "client/chunk_client.h"

#include <algorithm>
#include <vector>

#include "common/logging.h"

namespace tessera::client {
namespace {
constexpr char kComponent[] = "client";
}  // namespace

HostPort AddressOf(const rpc::ChunkServerAddress& server) { return {server.host, server.port}; }

void ChunkClient::NoteFailure(int64_t server_id) {
  std::lock_guard lock(mu_);
  last_failure_[server_id] = clock_.NowMonotonicNanos();
}

int64_t ChunkClient::LastFailure(int64_t server_id) {
  std::lock_guard lock(mu_);
  auto it = last_failure_.find(server_id);
  return it == last_failure_.end() ? 0 : it->second;
}

Result<std::string> ChunkClient::Read(const rpc::ChunkInfo& chunk, int64_t offset, int32_t length,
                                      const std::string& request_id) {
  if (chunk.replicas.empty()) {
    return Status::IoError("chunk " + std::to_string(chunk.chunk_id) + " has no live replica");
  }
  std::vector<std::pair<int64_t, const rpc::ChunkServerAddress*>> order;
  for (const auto& replica : chunk.replicas) {
    order.emplace_back(LastFailure(replica.server_id), &replica);
  }
  std::stable_sort(order.begin(), order.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });

  rpc::ReadChunkRequest request;
  request.chunk_id = chunk.chunk_id;
  request.version = chunk.version;
  request.offset = offset;
  request.length = length;
  request.request_id = request_id;
  std::string errors;
  for (const auto& [unused, replica] : order) {
    Result<std::string> data = connection_.ReadChunk(AddressOf(*replica), request);
    if (data.ok()) {
      if (data->size() > static_cast<size_t>(length)) {
        data = Status::Corruption("replica returned " + std::to_string(data->size()) +
                                  " bytes for a read of " + std::to_string(length));
      } else {
        return data;
      }
    }
    NoteFailure(replica->server_id);
    if (data.status().code() == StatusCode::kCorruption && report_corruption_) {
      report_corruption_(chunk.chunk_id, replica->server_id);
    }
    LOG_REQ(kWarning, kComponent, request_id)
        << "read of chunk " << chunk.chunk_id << " from server " << replica->server_id << " ("
        << AddressOf(*replica).ToString() << ") failed: " << data.status().ToString()
        << "; falling back to the next replica";
    if (!errors.empty()) errors += "; ";
    errors += AddressOf(*replica).ToString() + ": " + data.status().ToString();
  }
  return Status::IoError("every replica of chunk " + std::to_string(chunk.chunk_id) +
                         " failed: " + errors);
}

Status ChunkClient::Write(const rpc::ChunkInfo& chunk, int64_t offset, std::string& data, bool sync,
                          const std::string& request_id) {
  if (chunk.replicas.empty()) {
    return Status::IoError("chunk " + std::to_string(chunk.chunk_id) + " has no write chain");
  }
  rpc::WriteChunkRequest request;
  request.chunk_id = chunk.chunk_id;
  request.version = chunk.version;
  request.offset = offset;
  request.data.swap(data);
  request.downstream.assign(chunk.replicas.begin() + 1, chunk.replicas.end());
  request.sync = sync;
  request.request_id = request_id;
  Status status = connection_.WriteChunk(AddressOf(chunk.replicas.front()), request);
  data.swap(request.data);  // hand the caller's bytes back
  if (!status.ok()) {
    LOG_REQ(kWarning, kComponent, request_id)
        << "write of chunk " << chunk.chunk_id << " at " << offset << " through chain head "
        << AddressOf(chunk.replicas.front()).ToString() << " failed: " << status.ToString();
  }
  return status;
}

Status ChunkClient::Sync(const rpc::ChunkInfo& chunk, const std::string& request_id) {
  if (chunk.replicas.empty()) {
    return Status::IoError("chunk " + std::to_string(chunk.chunk_id) + " has no write chain");
  }
  rpc::SyncChunkRequest request;
  request.chunk_id = chunk.chunk_id;
  request.version = chunk.version;
  request.downstream.assign(chunk.replicas.begin() + 1, chunk.replicas.end());
  request.request_id = request_id;
  Status status = connection_.SyncChunk(AddressOf(chunk.replicas.front()), request);
  if (!status.ok()) {
    LOG_REQ(kWarning, kComponent, request_id)
        << "sync of chunk " << chunk.chunk_id << " through chain head "
        << AddressOf(chunk.replicas.front()).ToString() << " failed: " << status.ToString();
  }
  return status;
}

}  // namespace tessera::client
