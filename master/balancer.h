// Evens out how full the chunk servers are (`tessera balance`, DESIGN.md operations): in rounds,
// plans moves with PlanBalance (balance_planner.h) from the leader's view and carries them out
// one after the other through ReplicationManager::MoveReplica (copy, verify, then drop the
// source), pacing them to the bandwidth asked for.
//
// Two kinds of balance: the operator's, recorded in the log (SetBalanceCommand, read back as
// StateMachine::BalanceWish) so that a new leader goes on with it, which the balancer ends by
// logging "done" once every server is within the threshold; and the automatic one
// (BalancerOptions::auto_threshold > 0), which runs on every leader at its low rate whenever no
// operator's balance runs, re-derived from the flags every master gets. Progress counts are
// soft state of the leader: a new leader counts from zero.
//
// After each round the balancer waits `settle_ms` for heartbeats to bring the servers' new used
// space (and the deletions of the dropped copies), so that it never plans on stale numbers.
//
// Threads: one balancing thread, owned and joined by the destructor. mu_ guards the wish, the
// progress and the counters; no I/O runs under it.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "gen-cpp/tessera_types.h"
#include "master/balance_planner.h"
#include "master/balance_request.h"
#include "master/chunk_server_registry.h"
#include "master/command_log.h"
#include "master/replication_manager.h"
#include "master/state_machine.h"

namespace tessera::master {

struct BalancerOptions {
  int round_interval_ms = 1000;  // how often an idle balancer looks again
  int report_grace_ms = 3000;    // as the replication manager's
  int settle_ms = 2500;          // after a round with moves: heartbeats catch up
  int max_moves_per_round = 8;
  double auto_threshold_pct = 0;  // 0: no automatic balance
  int64_t auto_bandwidth_bytes_per_sec = 4'000'000;
};

// Monotonic counts, for logs and metrics.
struct BalanceCounters {
  uint64_t rounds = 0;  // rounds that planned at least one move
  uint64_t moves_planned = 0;
  uint64_t moves_done = 0;
  uint64_t moves_failed = 0;
  uint64_t bytes_moved = 0;  // by both kinds of balance
  uint64_t auto_bytes_moved = 0;
};

class Balancer {
 public:
  // Borrows everything; all must outlive the balancer. Starts its thread.
  // REQUIRES: options.auto_threshold_pct is 0 or passes ValidateBalanceRequest.
  Balancer(BalancerOptions options, CommandLog* log, const StateMachine* state,
           ChunkServerRegistry* registry, ReplicationManager* replication, const Clock* clock);
  ~Balancer();
  Balancer(const Balancer&) = delete;
  Balancer& operator=(const Balancer&) = delete;

  // The log changed the operator's balance to `durable` (StateMachine::BalanceWish): take it up
  // now (a stop ends the round running).
  void Sync(const std::optional<BalanceRecord>& durable);
  // The progress of the operator's balance `durable` (StateMachine::BalanceWish, read after a
  // read barrier), or of the automatic one when none runs.
  rpc::BalanceStatus Progress(const std::optional<BalanceRecord>& durable);
  BalanceCounters counters() const;

 private:
  struct Wish {
    std::string state = "idle";  // idle (never started), running, done, stopped
    double threshold_pct = 0;
    int64_t bandwidth = 0;
    int64_t since_ns = 0;    // BalanceRecord::since_ns: which start this is
    int64_t started_ns = 0;  // monotonic: when this master took it up
    int64_t bytes_moved = 0;
    int64_t moves_done = 0;
    int64_t moves_failed = 0;
    std::string last_error;
  };

  // Takes up what the log says of the operator's balance.
  void SyncLocked(const std::optional<BalanceRecord>& durable);
  // Logs that the operator's balance is done.
  Status RecordDone();
  void Loop();
  // One round; returns whether it moved anything (then the caller waits settle_ms).
  bool Round();
  std::vector<BalanceServer> Servers() const;
  Result<std::vector<BalanceChunk>> Chunks() const;
  // Waits until `bytes` more may move at `bandwidth` since the pacing began; false on stop.
  bool Pace(int64_t bandwidth, int64_t paced_since_ns, int64_t paced_bytes);
  void Record(bool automatic, const BalanceMove& move, const Result<int64_t>& moved,
              int64_t took_ms);

  const BalancerOptions options_;
  CommandLog* const log_;
  const StateMachine* const state_;
  ChunkServerRegistry* const registry_;
  ReplicationManager* const replication_;
  const Clock* const clock_;

  mutable std::mutex mu_;  // guards everything below
  std::condition_variable wake_;
  bool stopping_ = false;
  Wish wish_;
  BalanceAssessment last_assessment_;
  BalanceCounters counters_;

  std::thread thread_;  // last: started once everything above exists
};

}  // namespace tessera::master
