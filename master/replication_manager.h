// Returns every chunk to its goal without an operator: copies chunks below goal to new servers
// and drops stale and surplus replicas (DESIGN.md, replication manager). Runs on every master but
// acts only while this master leads, and only once the chunk servers have had `report_grace_ms`
// after the start of its tenure to register and report: before that, missing reports would look
// like missing replicas.
//
// A copy is fenced, so that it misses no write: the chunk's writes wait (prepareWrite answers
// UNAVAILABLE while ChunkServerRegistry::IsFenced), every current copy is stamped with a new
// version (so a writer still holding the old chain is refused with STALE_VERSION and asks for the
// chain again), the new version goes through the log, and only then does the target pull the
// chunk from a stamped copy (ChunkServerService.replicateChunk). A copy that finds the chunk gone from the
// namespace when it finishes is dropped again.
//
// The scanner also collects garbage: replicas of chunks that no file references are deleted after
// a grace period (orphan_collector.h).
//
// Threads: one scanner thread (plans every `scan_interval_ms`) and `copy_threads` copy threads,
// all owned here and joined by the destructor. mu_ guards the queue, the running copies and the
// counters; no I/O happens under it.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_set>
#include <vector>

#include "common/clock.h"
#include "common/rpc_client.h"
#include "gen-cpp/ChunkServerService.h"
#include "master/chunk_server_registry.h"
#include "master/chunk_version_stamper.h"
#include "master/command_log.h"
#include "master/orphan_collector.h"
#include "master/replication_planner.h"
#include "master/state_machine.h"

namespace tessera::master {

struct ReplicationManagerOptions {
  int scan_interval_ms = 1000;
  int report_grace_ms = 3000;
  int copy_threads = 4;
  ReplicationLimits limits;
  // One replicateChunk call: a 64 MiB chunk at 1 MB/s, the slowest sensible limit. A copy still
  // running at shutdown is waited for, so this also bounds how long a master takes to stop.
  int copy_timeout_ms = 120000;
  // A replica no file references is deleted once unreferenced this long (orphan_collector.h).
  int64_t gc_grace_ms = 60000;
};

// Monotonic counts and the latest gauges, for logs and metrics.
struct ReplicationCounters {
  uint64_t copies_started = 0;
  uint64_t copies_done = 0;
  uint64_t copies_failed = 0;
  uint64_t bytes_copied = 0;
  uint64_t replicas_dropped = 0;
  int64_t chunks_missing = 0;
  int64_t chunks_under_goal = 0;
  int64_t chunks_over_goal = 0;
  uint64_t orphans_deleted = 0;  // chunk ids whose replicas were deleted as unreferenced
  int64_t orphans_waiting = 0;   // unreferenced chunk ids inside their grace period
  int64_t chunks_draining = 0;  // still with a copy on a draining server
  int64_t copies_queued = 0;    // waiting for a copy thread (read from the queue)
};

class ReplicationManager {
 public:
  // Borrows everything; all must outlive the manager. Starts its threads.
  ReplicationManager(ReplicationManagerOptions options, CommandLog* log, const StateMachine* state,
                     ChunkServerRegistry* registry, const Clock* clock);
  ~ReplicationManager();
  ReplicationManager(const ReplicationManager&) = delete;
  ReplicationManager& operator=(const ReplicationManager&) = delete;

  ReplicationCounters counters() const;

  // Moves one replica of `chunk` from `source` to `target` for the balancer (balancer.h), on
  // the copy path of re-replication (replication_manager_move.cc): fenced, every current copy
  // stamped with the next version and the version logged, the target pulls the chunk; only once
  // the target's copy is registered at the new version, and the chunk keeps its goal in current
  // copies without it, is the source's copy dropped. Blocks for the copy; returns the bytes
  // copied. kUnavailable when the chunk is being copied already or its version moved on since
  // `chunk` was read (a writer took a new lease): the caller plans again.
  Result<int64_t> MoveReplica(const ChunkOfFile& chunk, int64_t source, int64_t target);

 private:
  void ScanLoop();
  void ScanOnce();
  // Deletes the replicas of chunks unreferenced for the grace period.
  void CollectOrphans(const std::vector<int64_t>& known,
                      const std::unordered_set<int64_t>& referenced);
  void CopyLoop();
  // Runs one fenced copy; returns the bytes copied.
  Result<int64_t> Copy(const CopyAction& action);
  Status BumpVersion(const CopyAction& action);
  void Finish(const CopyAction& action, const Result<int64_t>& copied, int64_t took_ms);

  const ReplicationManagerOptions options_;
  CommandLog* const log_;
  const StateMachine* const state_;
  ChunkServerRegistry* const registry_;
  const Clock* const clock_;
  RpcClientPool<rpc::ChunkServerServiceClient> chunk_servers_;
  ChunkVersionStamper stamper_;
  OrphanCollector orphans_;       // scanner thread only
  int64_t collector_term_ = -1;  // scanner thread only: the tenure orphans_ has watched

  mutable std::mutex mu_;  // guards everything below
  std::condition_variable wake_;
  bool stopping_ = false;
  std::deque<CopyAction> queue_;
  std::map<int64_t, int> busy_;  // copies queued or running per server (source or target)
  std::set<int64_t> running_;    // chunk ids queued or being copied
  ReplicationCounters counters_;

  std::vector<std::thread> threads_;  // last: started once everything above exists
};

}  // namespace tessera::master
