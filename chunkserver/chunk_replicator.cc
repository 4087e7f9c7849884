#include "chunkserver/chunk_replicator.h"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <span>
#include <utility>

#include "common/logging.h"
#include "common/names.h"

namespace tessera {
namespace {

constexpr char kComponent[] = "chunkserver";

std::span<const std::byte> AsBytes(const std::string& s) {
  return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}

rpc::ReplicateChunkReply Reply(int64_t length, int64_t bytes_copied) {
  rpc::ReplicateChunkReply reply;
  reply.length = length;
  reply.bytes_copied = bytes_copied;
  return reply;
}

// A failure of this server's own disk while staging or committing a copy. Reported as kIoError
// (kNoSpace kept): the master must not read e.g. a kNotFound for a missing staging directory as "no
// such chunk".
Status LocalFailure(const Status& status) {
  const StatusCode code =
      status.code() == StatusCode::kNoSpace ? StatusCode::kNoSpace : StatusCode::kIoError;
  return Status(code, "storing the copy here failed: " + status.ToString());
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : "; ") + item;
  return out;
}

}  // namespace

ChunkReplicator::ChunkReplicator(ChunkStore* store, ChunkSource* source, ReplicationOptions options,
                                 const Clock* clock, SleepFunction sleep)
    : store_(store),
      source_(source),
      options_(options),
      clock_(clock),
      sleep_(std::move(sleep)),
      // A burst of one piece: after an idle spell one read goes at once, then the rate holds.
      bandwidth_(options.bytes_per_second, kMaxIoBytes, clock) {}

Status ChunkReplicator::Claim(int64_t chunk_id) {
  std::lock_guard lock(mu_);
  if (in_flight_.count(chunk_id) > 0) {
    return Status::Unavailable("chunk " + std::to_string(chunk_id) +
                               " is being copied here already");
  }
  if (in_flight_.size() >= static_cast<size_t>(options_.max_concurrent)) {
    return Status::Unavailable("busy: " + std::to_string(in_flight_.size()) +
                               " replications running, at most " +
                               std::to_string(options_.max_concurrent));
  }
  in_flight_.insert(chunk_id);
  return Status::Ok();
}

void ChunkReplicator::Release(int64_t chunk_id) {
  std::lock_guard lock(mu_);
  in_flight_.erase(chunk_id);
}

Result<rpc::ReplicateChunkReply> ChunkReplicator::Replicate(
    const rpc::ReplicateChunkRequest& request) {
  const int64_t start_ns = clock_->NowMonotonicNanos();
  Attempts attempts;
  Status claimed = Claim(request.chunk_id);
  if (!claimed.ok()) {
    ++refused_busy_;
    Log(request, claimed, attempts, 0);
    return claimed;
  }
  Result<rpc::ReplicateChunkReply> reply = Copy(request, &attempts);
  Release(request.chunk_id);
  if (!reply.ok()) {
    ++failed_;
  } else if (!attempts.copied_from.empty()) {
    ++done_;
    bytes_copied_ += reply->bytes_copied;
  }
  Log(request, reply, attempts, clock_->NowMonotonicNanos() - start_ns);
  return reply;
}

ReplicationCounters ChunkReplicator::counters() const {
  return {done_.load(), failed_.load(), refused_busy_.load(), bytes_copied_.load()};
}

Result<rpc::ReplicateChunkReply> ChunkReplicator::Copy(const rpc::ReplicateChunkRequest& request,
                                                       Attempts* attempts) {
  if (std::optional<ChunkRecord> held = store_->Lookup(request.chunk_id)) {
    if (held->version == request.version) return Reply(held->length, 0);
    if (held->version > request.version) {
      return Status::StaleVersion("chunk " + std::to_string(request.chunk_id) +
                                  " is here at version " + std::to_string(held->version) +
                                  ", newer than the " + std::to_string(request.version) +
                                  " to copy");
    }
  }
  for (const rpc::ChunkServerAddress& address : request.sources) {
    const HostPort source{address.host, address.port};
    CopyOutcome copy = CopyFrom(source, request);
    if (!copy.status.ok()) {
      if (!copy.source_failed) return copy.status;
      attempts->skipped.push_back(source.ToString() + ": " + copy.status.ToString());
      continue;
    }
    Result<ImportOutcome> committed = store_->CommitImport(std::move(copy.staged));
    if (!committed.ok()) {
      // kStaleVersion: a newer version arrived meanwhile. Anything else is this server's disk.
      if (committed.status().code() == StatusCode::kStaleVersion) return committed.status();
      return LocalFailure(committed.status());
    }
    const ImportOutcome& outcome = *committed;
    if (!outcome.installed) return Reply(outcome.record.length, 0);  // arrived meanwhile
    attempts->copied_from = source.ToString();
    return Reply(outcome.record.length, outcome.record.length);
  }
  return Status::IoError("no source could supply chunk " + std::to_string(request.chunk_id) +
                         " version " + std::to_string(request.version) + ": " +
                         Join(attempts->skipped));
}

ChunkReplicator::CopyOutcome ChunkReplicator::CopyFrom(const HostPort& source,
                                                       const rpc::ReplicateChunkRequest& request) {
  auto local_failure = [](const Status& status) {
    return CopyOutcome{nullptr, LocalFailure(status), false};
  };
  auto source_failure = [](Status status) { return CopyOutcome{nullptr, std::move(status), true}; };

  Result<std::unique_ptr<ChunkImport>> import =
      store_->BeginImport(request.chunk_id, request.version);
  if (!import.ok()) return local_failure(import.status());
  rpc::ReadChunkRequest read;
  read.chunk_id = request.chunk_id;
  read.version = request.version;
  read.request_id = request.request_id;
  for (int64_t offset = 0; offset < kChunkSize;) {
    const int64_t want = std::min(kMaxIoBytes, kChunkSize - offset);
    read.offset = offset;
    read.length = static_cast<int32_t>(want);
    Result<std::string> piece = source_->ReadChunk(source, read);
    if (!piece.ok()) return source_failure(piece.status());
    const auto got = static_cast<int64_t>(piece->size());
    if (got > want) {
      return source_failure(Status::Internal("answered " + std::to_string(got) +
                                             " bytes to a read of " + std::to_string(want)));
    }
    Throttle(got);
    Status appended = (*import)->Append(AsBytes(*piece));
    if (!appended.ok()) return local_failure(appended);
    offset += got;
    if (got < want) break;  // the end of the chunk
  }
  Status same_version = CheckNotNewer(source, request);
  if (!same_version.ok()) return source_failure(same_version);
  return CopyOutcome{std::move(*import), Status::Ok(), false};
}

Status ChunkReplicator::CheckNotNewer(const HostPort& source,
                                      const rpc::ReplicateChunkRequest& request) {
  if (request.version == std::numeric_limits<int64_t>::max()) return Status::Ok();
  rpc::ReadChunkRequest probe;
  probe.chunk_id = request.chunk_id;
  probe.version = request.version + 1;
  probe.offset = 0;
  probe.length = 1;
  probe.request_id = request.request_id;
  Result<std::string> answer = source_->ReadChunk(source, probe);
  if (!answer.ok() && answer.status().code() == StatusCode::kStaleVersion) return Status::Ok();
  if (answer.ok()) {
    return Status::StaleVersion("holds a version newer than " + std::to_string(request.version) +
                                " (now or since the copy began)");
  }
  return Status(answer.status().code(),
                "cannot confirm the version after the copy: " + answer.status().message());
}

void ChunkReplicator::Throttle(int64_t bytes) {
  const std::chrono::nanoseconds wait = bandwidth_.Take(bytes);
  if (wait.count() > 0) sleep_(wait);
}

void ChunkReplicator::Log(const rpc::ReplicateChunkRequest& request,
                          const Result<rpc::ReplicateChunkReply>& reply, const Attempts& attempts,
                          int64_t elapsed_ns) const {
  const std::string chunk =
      "chunk " + std::to_string(request.chunk_id) + " version " + std::to_string(request.version);
  const int64_t elapsed_ms = elapsed_ns / 1'000'000;
  if (!reply.ok() && reply.status().code() == StatusCode::kUnavailable) {
    // Flow control, not a fault: the master tries again later.
    LOG_REQ(kInfo, kComponent, request.request_id)
        << "replication of " << chunk << " refused: " << reply.status().ToString();
    return;
  }
  if (!reply.ok()) {
    LOG_REQ(kWarning, kComponent, request.request_id)
        << "replication of " << chunk << " failed after " << elapsed_ms
        << " ms: " << reply.status().ToString();
    return;
  }
  if (attempts.copied_from.empty()) {
    LOG_REQ(kInfo, kComponent, request.request_id)
        << "replication of " << chunk << ": already here (length " << reply->length
        << "), nothing copied";
    return;
  }
  char rate[32];
  std::snprintf(rate, sizeof(rate), "%.1f",
                elapsed_ns > 0 ? static_cast<double>(reply->bytes_copied) * 1e3 / elapsed_ns : 0.0);
  LOG_REQ(kInfo, kComponent, request.request_id)
      << "replicated " << chunk << " from " << attempts.copied_from << ": " << reply->bytes_copied
      << " bytes in " << elapsed_ms << " ms (" << rate << " MB/s)"
      << (attempts.skipped.empty() ? "" : ", after skipping " + Join(attempts.skipped));
}

}  // namespace tessera
