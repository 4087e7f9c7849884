// The leader's reaper of dead mounts: every check interval it lists the mounts holding file
// locks (from the state), asks MountLiveness which of them were silent past the timeout, and
// proposes an ExpireMountCommand for each, which releases all of that mount's locks on every
// replica (master/ops/expire_mount.cc). Followers do nothing.
//
// Owns one thread, started by the constructor and stopped (and joined) by the destructor.
// Thread-safety: CheckOnce may be called from any thread (tests call it directly).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "master/command_log.h"
#include "master/mount_liveness.h"
#include "master/state_machine.h"

namespace tessera::master {

struct MountExpiryCounters {
  uint64_t checks = 0;          // passes made as leader
  uint64_t expired = 0;         // mounts expired through the log
  uint64_t expire_failures = 0; // proposals that failed (retried at the next pass)
};

class MountExpiry {
 public:
  // Borrows everything; all must outlive this. REQUIRES: check_interval_ms > 0.
  MountExpiry(CommandLog* log, const StateMachine* state, MountLiveness* liveness,
              int64_t check_interval_ms);
  ~MountExpiry();
  MountExpiry(const MountExpiry&) = delete;
  MountExpiry& operator=(const MountExpiry&) = delete;

  // One pass: does nothing unless this master leads.
  void CheckOnce();
  MountExpiryCounters counters() const;

 private:
  void Run();

  CommandLog* const log_;
  const StateMachine* const state_;
  MountLiveness* const liveness_;
  const int64_t check_interval_ms_;
  mutable std::mutex mu_;  // guards stop_ and counters_
  std::condition_variable stop_cv_;
  bool stop_ = false;
  MountExpiryCounters counters_;
  std::thread thread_;  // last: starts after every member above exists
};

}  // namespace tessera::master
