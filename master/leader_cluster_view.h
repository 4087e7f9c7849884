// A follower's window on the cluster: chunk servers register and heartbeat with the leader
// only, so a follower's own registry is empty (or stale from an earlier tenure). For its status
// page and /status it asks the leader with the clusterStatus RPC that `tessera status` uses,
// with short timeouts, and keeps the answer for a moment so that a burst of page loads costs
// the leader one call. Its /metrics stay local (Prometheus scrapes every daemon).
//
// Ownership: the master owns one LeaderClusterView (main.cc); the fetch function and the clock
// outlive it. Thread-safety: Get may run on any thread; mu_ guards only the kept report and the
// counters and is never held across the fetch.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include "common/address.h"
#include "common/clock.h"
#include "common/status.h"
#include "gen-cpp/tessera_types.h"

namespace tessera::master {

// The leader's cluster view as a follower last fetched it.
struct LeaderReport {
  int64_t leader_id = 0;
  std::string leader_address;  // the leader's RPC address
  bool reachable = false;      // false: `error` says why, `cluster` is empty
  std::string error;
  int64_t age_ms = 0;  // since the fetch that gave this report (successful or not)
  rpc::ClusterStatus cluster;
};

// Every decision of Get, counted (tessera_master_leader_view_fetches_total).
struct LeaderViewCounters {
  uint64_t fetched = 0;  // asked the leader, it answered
  uint64_t failed = 0;   // asked the leader, no answer (or an error)
  uint64_t cached = 0;   // served the report kept from an earlier fetch
};

class LeaderClusterView {
 public:
  // One clusterStatus call to the master at `leader`.
  using Fetch = std::function<Result<rpc::ClusterStatus>(const HostPort& leader)>;

  // A report younger than `max_age_ms` of the same leader is served without asking again.
  LeaderClusterView(Fetch fetch, const Clock* clock, int64_t max_age_ms = 1000);
  LeaderClusterView(const LeaderClusterView&) = delete;
  LeaderClusterView& operator=(const LeaderClusterView&) = delete;

  // The cluster as leader `leader_id` at `leader_address` (its RPC address) reports it.
  // REQUIRES: leader_id > 0.
  LeaderReport Get(int64_t leader_id, const std::string& leader_address);

  LeaderViewCounters counters() const;

 private:
  const Fetch fetch_;
  const Clock* const clock_;
  const int64_t max_age_ms_;

  mutable std::mutex mu_;  // guards kept_, kept_at_ns_, counters_
  std::optional<LeaderReport> kept_;
  int64_t kept_at_ns_ = 0;  // monotonic
  LeaderViewCounters counters_;
};

// The production fetch: clusterStatus over pooled Thrift connections, connecting within
// `timeout_ms` and waiting at most `timeout_ms` for the answer.
LeaderClusterView::Fetch NewThriftLeaderFetch(int timeout_ms);

}  // namespace tessera::master
