// What `tessera decommission` shows: the draining state of chunk servers read from
// rpc::ClusterStatus, progress lines with a moving rate, and the --status table. Pure functions
// and a small value class; not thread-safe (one CLI thread uses them).
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "gen-cpp/tessera_types.h"

namespace tessera::client::cli {

// One server's draining, as the master leader sees it now.
struct DrainState {
  int64_t server_id = 0;
  bool draining = false;    // durable: the master will keep moving its replicas
  bool registered = false;  // the leader has heard from it in this tenure
  bool alive = false;
  std::string address;      // "host:port" when registered
  int64_t replicas_left = 0;  // replicas the master knows on it
  int64_t chunk_files = 0;    // chunk files the server itself counted at its last heartbeat
};

DrainState DrainStateOf(const rpc::ClusterStatus& status, int64_t server_id);
// Every server that is draining, in server id order.
std::vector<DrainState> DrainingServers(const rpc::ClusterStatus& status);

// Done: the server is alive and registered, the master knows no replica on it and the server
// has deleted every chunk file it was told to. It can then be switched off.
bool DrainDone(const DrainState& state);

// Replicas moved so far and a rate over the last `window_ms`, from successive observations.
class DrainProgress {
 public:
  explicit DrainProgress(int64_t window_ms = 10000) : window_ms_(window_ms) {}
  // `replicas_left` at monotonic time `now_ms`; times must not go backwards.
  void Observe(int64_t now_ms, int64_t replicas_left);
  // Replicas that left the server since the first observation.
  int64_t moved() const { return moved_; }
  // Replicas per second over the window; 0 until two observations span some time.
  double rate() const;
  // "server 3: 42 replicas left, 18 moved, 6.0 replicas/s, about 7 s to go".
  std::string Line(const DrainState& state) const;

 private:
  const int64_t window_ms_;
  int64_t last_left_ = -1;
  int64_t moved_ = 0;
  std::deque<std::pair<int64_t, int64_t>> samples_;  // (time ms, moved) within the window
};

std::string FormatDrainStatusText(const std::vector<DrainState>& servers);
std::string FormatDrainStatusJson(const std::vector<DrainState>& servers);
// One progress observation as a JSON object on one line.
std::string FormatDrainProgressJson(const DrainState& state, const DrainProgress& progress);

}  // namespace tessera::client::cli
