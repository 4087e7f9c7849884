#include "master/request_validation.h"

#include <string>

#include "common/names.h"

namespace tessera::master {

namespace {

constexpr size_t kMaxGroups = 65536;  // NGROUPS_MAX on Linux
constexpr size_t kMaxRequestIdBytes = 256;
constexpr size_t kMaxHostBytes = 253;  // longest DNS name
constexpr size_t kMaxRackBytes = 255;

Status Invalid(std::string_view field, std::string_view why) {
  return Status::InvalidArgument(std::string(field) + " " + std::string(why));
}

Status NonNegative(int64_t value, std::string_view field) {
  if (value < 0) return Invalid(field, "must be >= 0, got " + std::to_string(value));
  return Status::Ok();
}

}  // namespace

Status ValidateContext(const rpc::RequestContext& ctx) {
  RETURN_IF_ERROR(NonNegative(ctx.uid, "ctx.uid"));
  RETURN_IF_ERROR(NonNegative(ctx.gid, "ctx.gid"));
  if (ctx.groups.size() > kMaxGroups) return Invalid("ctx.groups", "has too many entries");
  for (int32_t group : ctx.groups) RETURN_IF_ERROR(NonNegative(group, "ctx.groups entry"));
  if (ctx.request_id.size() > kMaxRequestIdBytes) return Invalid("ctx.request_id", "too long");
  return Status::Ok();
}

Status ValidateInode(int64_t inode, std::string_view field) {
  if (inode <= 0) return Invalid(field, "must be > 0, got " + std::to_string(inode));
  return Status::Ok();
}

Status ValidateMode(int32_t mode) {
  if ((mode & ~07777) != 0) {
    return Invalid("mode", "has bits outside 07777: " + std::to_string(mode));
  }
  return Status::Ok();
}

Status ValidateChunkIndex(int64_t chunk_index) {
  if (chunk_index < 0 || chunk_index >= kMaxFileSize / kChunkSize) {
    return Invalid("chunk_index", "out of range: " + std::to_string(chunk_index));
  }
  return Status::Ok();
}

Status ValidateSetAttr(const rpc::SetAttrRequest& request) {
  if (request.__isset.mode) RETURN_IF_ERROR(ValidateMode(request.mode));
  if (request.__isset.uid) RETURN_IF_ERROR(NonNegative(request.uid, "uid"));
  if (request.__isset.gid) RETURN_IF_ERROR(NonNegative(request.gid, "gid"));
  if (request.__isset.size) {
    RETURN_IF_ERROR(NonNegative(request.size, "size"));
    if (request.size > kMaxFileSize) {
      return Status::FileTooLarge("size " + std::to_string(request.size) +
                                  " exceeds the largest file size");
    }
  }
  // Explicit times may be before 1970 (negative): tar and cp -p restore such files.
  if (request.__isset.atime_ns && request.atime_now) {
    return Invalid("atime", "given both explicitly and as now");
  }
  if (request.__isset.mtime_ns && request.mtime_now) {
    return Invalid("mtime", "given both explicitly and as now");
  }
  return Status::Ok();
}

Status ValidateChunkServerInfo(const rpc::ChunkServerInfo& info) {
  if (info.server_id <= 0) return Invalid("server_id", "must be > 0");
  if (info.host.empty() || info.host.size() > kMaxHostBytes) {
    return Invalid("host", "must be 1.." + std::to_string(kMaxHostBytes) + " bytes");
  }
  if (info.host.find('\0') != std::string::npos) return Invalid("host", "contains NUL");
  if (info.port < 1 || info.port > 65535) return Invalid("port", "must be 1..65535");
  if (info.rack.size() > kMaxRackBytes) return Invalid("rack", "too long");
  return Status::Ok();
}

Status ValidateChunkServerStats(const rpc::ChunkServerStats& stats) {
  RETURN_IF_ERROR(NonNegative(stats.total_bytes, "stats.total_bytes"));
  RETURN_IF_ERROR(NonNegative(stats.free_bytes, "stats.free_bytes"));
  RETURN_IF_ERROR(NonNegative(stats.chunk_count, "stats.chunk_count"));
  RETURN_IF_ERROR(NonNegative(stats.active_requests, "stats.active_requests"));
  RETURN_IF_ERROR(NonNegative(stats.data_dirs_ok, "stats.data_dirs_ok"));
  RETURN_IF_ERROR(NonNegative(stats.data_dirs_failed, "stats.data_dirs_failed"));
  if (stats.free_bytes > stats.total_bytes) {
    return Invalid("stats.free_bytes", "exceeds total_bytes");
  }
  return Status::Ok();
}

Status ValidateChunkReports(const std::vector<rpc::ChunkReport>& reports) {
  if (reports.size() > kMaxChunkReports) return Invalid("chunk report", "has too many entries");
  for (const rpc::ChunkReport& report : reports) {
    if (report.chunk_id <= 0) return Invalid("chunk report chunk_id", "must be > 0");
    if (report.version <= 0) return Invalid("chunk report version", "must be > 0");
    if (report.length < 0 || report.length > kChunkSize) {
      return Invalid("chunk report length", "must be 0..64 MiB");
    }
  }
  return Status::Ok();
}

Status ValidateChunkIds(const std::vector<int64_t>& chunk_ids) {
  if (chunk_ids.size() > kMaxChunkReports) return Invalid("chunk id list", "has too many entries");
  for (int64_t chunk_id : chunk_ids) {
    if (chunk_id <= 0) return Invalid("chunk id", "must be > 0");
  }
  return Status::Ok();
}

}  // namespace tessera::master
