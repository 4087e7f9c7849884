// The heartbeat of a mount that holds file locks: the master releases the locks of a mount it
// has not heard from for its --mount-timeout-ms (master/mount_liveness.h), so a mount that
// takes locks must keep saying it is alive.
//
// Owns one thread, started by the first Start() (a mount that never locks sends nothing) and
// stopped and joined by the destructor. Once the master answers that the mount expired, the
// thread logs it once and stops beating: an expired mount stays expired.
//
// Thread-safety: thread-safe; mu_ guards every member but the borrowed connection.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "client/master_connection.h"

namespace tessera::client {

struct MountHeartbeatCounters {
  uint64_t sent = 0;
  uint64_t failed = 0;  // no leader answered within the client's retry deadline
};

class MountHeartbeat {
 public:
  // Borrows `master`, which must outlive this. REQUIRES: mount_id > 0, interval_ms > 0.
  MountHeartbeat(MasterConnection& master, int64_t mount_id, int64_t interval_ms);
  ~MountHeartbeat();
  MountHeartbeat(const MountHeartbeat&) = delete;
  MountHeartbeat& operator=(const MountHeartbeat&) = delete;

  // Starts the thread unless it runs already.
  void Start();
  // The master said this mount expired.
  bool expired() const;
  MountHeartbeatCounters counters() const;

 private:
  void Run();

  MasterConnection& master_;
  const int64_t mount_id_;
  const int64_t interval_ms_;
  mutable std::mutex mu_;  // guards everything below
  std::condition_variable stop_cv_;
  bool stop_ = false;
  bool expired_ = false;
  MountHeartbeatCounters counters_;
  std::thread thread_;
};

}  // namespace tessera::client
