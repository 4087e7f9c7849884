#include "chunkserver/request_validation.h"

#include <string>

#include "common/names.h"

namespace tessera {
namespace {

constexpr size_t kMaxHostBytes = 255;
constexpr size_t kMaxRequestIdBytes = 128;

Status ValidateChunkAndVersion(int64_t chunk_id, int64_t version) {
  if (chunk_id <= 0) {
    return Status::InvalidArgument("chunk_id must be > 0, got " + std::to_string(chunk_id));
  }
  if (version <= 0) {
    return Status::InvalidArgument("version must be > 0, got " + std::to_string(version));
  }
  return Status::Ok();
}

Status ValidateRange(int64_t offset, int64_t length) {
  if (offset < 0) {
    return Status::InvalidArgument("offset must be >= 0, got " + std::to_string(offset));
  }
  if (offset > kChunkSize - length) {
    return Status::InvalidArgument("offset " + std::to_string(offset) + " + length " +
                                   std::to_string(length) + " exceeds the 64 MiB chunk");
  }
  return Status::Ok();
}

Status ValidateRequestId(const std::string& request_id) {
  if (request_id.size() > kMaxRequestIdBytes) {
    return Status::InvalidArgument("request_id longer than " + std::to_string(kMaxRequestIdBytes) +
                                   " bytes");
  }
  return Status::Ok();
}

// `servers` are chunk server addresses from a request field named `what`.
Status ValidateAddresses(const std::vector<rpc::ChunkServerAddress>& servers, const char* what,
                         size_t max_count) {
  if (servers.size() > max_count) {
    return Status::InvalidArgument(std::string(what) + " has " + std::to_string(servers.size()) +
                                   " replicas, at most " + std::to_string(max_count) + " allowed");
  }
  for (const rpc::ChunkServerAddress& replica : servers) {
    if (replica.host.empty() || replica.host.size() > kMaxHostBytes ||
        replica.host.find_first_of(std::string("/\0 ", 3)) != std::string::npos) {
      return Status::InvalidArgument(std::string(what) + " replica has an invalid host '" +
                                     replica.host + "'");
    }
    if (replica.port < 1 || replica.port > 65535) {
      return Status::InvalidArgument(std::string(what) + " replica " + replica.host +
                                     " has an invalid port " + std::to_string(replica.port));
    }
  }
  return Status::Ok();
}

}  // namespace

Status ValidateDownstream(const std::vector<rpc::ChunkServerAddress>& downstream) {
  return ValidateAddresses(downstream, "downstream", kMaxDownstreamReplicas);
}

Status ValidateWriteRequest(const rpc::WriteChunkRequest& request) {
  RETURN_IF_ERROR(ValidateChunkAndVersion(request.chunk_id, request.version));
  const auto size = static_cast<int64_t>(request.data.size());
  if (size > kMaxIoBytes) {
    return Status::InvalidArgument("data of " + std::to_string(size) + " bytes exceeds " +
                                   std::to_string(kMaxIoBytes));
  }
  RETURN_IF_ERROR(ValidateRange(request.offset, size));
  RETURN_IF_ERROR(ValidateRequestId(request.request_id));
  return ValidateDownstream(request.downstream);
}

Status ValidateReadRequest(const rpc::ReadChunkRequest& request) {
  RETURN_IF_ERROR(ValidateChunkAndVersion(request.chunk_id, request.version));
  if (request.length < 1 || request.length > kMaxIoBytes) {
    return Status::InvalidArgument("read length must be 1.." + std::to_string(kMaxIoBytes) +
                                   ", got " + std::to_string(request.length));
  }
  RETURN_IF_ERROR(ValidateRange(request.offset, request.length));
  return ValidateRequestId(request.request_id);
}

Status ValidateSyncRequest(const rpc::SyncChunkRequest& request) {
  RETURN_IF_ERROR(ValidateChunkAndVersion(request.chunk_id, request.version));
  RETURN_IF_ERROR(ValidateRequestId(request.request_id));
  return ValidateDownstream(request.downstream);
}

Status ValidateReplicateRequest(const rpc::ReplicateChunkRequest& request) {
  RETURN_IF_ERROR(ValidateChunkAndVersion(request.chunk_id, request.version));
  RETURN_IF_ERROR(ValidateRequestId(request.request_id));
  if (request.sources.empty()) return Status::InvalidArgument("sources must not be empty");
  return ValidateAddresses(request.sources, "sources", kMaxReplicationSources);
}

}  // namespace tessera
