// Re-replication, receiving side: copies a chunk that this server lacks (or holds at an older
// version) from servers that hold it, for ChunkServerService.replicateChunk.
//
// A copy reads the chunk from the first source that answers, with readChunk in pieces of up to
// 4 MiB (the source verifies every block it sends; a piece shorter than asked is the end of the
// chunk), into a ChunkImport, which ChunkStore::CommitImport makes durable and visible at once.
// After the last piece, one more read asks the source for the next version: a source that holds
// a newer version than requested (readChunk would serve it under the older one) is refused.
// A source that fails in any way (unreachable, STALE_VERSION, NOT_FOUND, CORRUPTION, a newer
// version, ...) is skipped and the copy starts over from the next one; a failure of this server's
// own disk ends the replication, since another source would not help. When every source failed the
// answer is kIoError naming each source and its error.
//
// Replication traffic is held to a byte rate shared by all replications (a TokenBucket), and at
// most `max_concurrent` run at once: more are refused with kUnavailable so that the master tries
// again later, as is a second request for a chunk that is being copied here already.
//
// Thread-safety: Replicate may be called from many threads at once; `mu_` guards the set of
// chunks in flight and the counters are atomic. The store, source and clock must outlive the
// replicator.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "chunkserver/chunk_source.h"
#include "chunkserver/chunk_store.h"
#include "chunkserver/token_bucket.h"
#include "common/clock.h"
#include "common/status.h"
#include "gen-cpp/tessera_types.h"

namespace tessera {

struct ReplicationOptions {
  int64_t bytes_per_second = 100'000'000;  // replication traffic into this server; 0: unlimited
  int max_concurrent = 2;                  // REQUIRES: >= 1
};

struct ReplicationCounters {
  int64_t done = 0;          // copies installed here
  int64_t failed = 0;        // replications that ended in an error (busy refusals excluded)
  int64_t refused_busy = 0;  // answered kUnavailable: too many running, or this chunk already
  int64_t bytes_copied = 0;  // chunk bytes of the installed copies
};

class ChunkReplicator {
 public:
  // How the replicator waits out the bandwidth limit; tests pass one that advances a fake clock.
  using SleepFunction = std::function<void(std::chrono::nanoseconds)>;

  ChunkReplicator(ChunkStore* store, ChunkSource* source, ReplicationOptions options,
                  const Clock* clock, SleepFunction sleep);

  // Answers once the chunk is here at request.version, complete and durable: at once with
  // bytes_copied 0 when it already was. kStaleVersion when a newer version is here.
  // REQUIRES: `request` passed ValidateReplicateRequest.
  Result<rpc::ReplicateChunkReply> Replicate(const rpc::ReplicateChunkRequest& request);

  ReplicationCounters counters() const;

 private:
  // A staged copy from one source, or why there is none; `source_failed` says whether the next
  // source may do better (the source failed) or not (this server failed).
  struct CopyOutcome {
    std::unique_ptr<ChunkImport> staged;
    Status status;
    bool source_failed = false;
  };
  // What one replication tried, for its log line.
  struct Attempts {
    std::string copied_from;
    std::vector<std::string> skipped;  // "host:port: CODE: message" per source that failed
  };

  // Claims a replication slot for the chunk; kUnavailable when none is free or the chunk is
  // being copied already. Every successful call is paired with Release.
  Status Claim(int64_t chunk_id);
  void Release(int64_t chunk_id);
  Result<rpc::ReplicateChunkReply> Copy(const rpc::ReplicateChunkRequest& request,
                                        Attempts* attempts);
  CopyOutcome CopyFrom(const HostPort& source, const rpc::ReplicateChunkRequest& request);
  // readChunk serves a version older than the one held, so a source at a newer version than
  // request.version (from the start, or after a write lease during the copy) would go unnoticed.
  // Asks it for the next version after the copy: only kStaleVersion confirms the copy.
  Status CheckNotNewer(const HostPort& source, const rpc::ReplicateChunkRequest& request);
  // Waits until `bytes` more replication traffic is within the bandwidth limit.
  void Throttle(int64_t bytes);
  void Log(const rpc::ReplicateChunkRequest& request, const Result<rpc::ReplicateChunkReply>& reply,
           const Attempts& attempts, int64_t elapsed_ns) const;

  ChunkStore* const store_;
  ChunkSource* const source_;
  const ReplicationOptions options_;
  const Clock* const clock_;
  const SleepFunction sleep_;
  TokenBucket bandwidth_;

  std::mutex mu_;
  std::set<int64_t> in_flight_;  // guarded by mu_: chunks being copied

  std::atomic<int64_t> done_{0};
  std::atomic<int64_t> failed_{0};
  std::atomic<int64_t> refused_busy_{0};
  std::atomic<int64_t> bytes_copied_{0};
};

}  // namespace tessera
