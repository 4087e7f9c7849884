// The blocking lock requests of a mount (F_SETLKW, flock without LOCK_NB) that met a conflict.
//
// A waiting request must not hold a FUSE worker thread: libfuse runs a bounded number of them,
// and the unlock that would free the waiter, or the INTERRUPT that cancels it, needs one. So a
// handler that gets kWouldBlock hands its request here and returns; one thread asks the master
// again for every waiter, after a pause growing from kFirstPause to kLongestPause (the master
// never parks a request: master/master_service_locks.cc), and answers the request when the lock
// is granted (0), fails otherwise (its errno), or is interrupted by a signal (EINTR, as a local
// file system's blocked lock call returns).
//
// Lifetime: a member of TesseraFuse. The thread starts with the first waiter (after the mount
// daemonized); Shutdown (at the session's destroy) answers every waiter and stops it.
// Thread-safety: thread-safe; mu_ guards waiters_, stop_ and the thread's start. An interrupt
// callback (any loop thread) takes only mu_; fuse_req_interrupt_func is never called with mu_
// held, because libfuse holds the request's lock while it runs the callback.
#pragma once

#include <fuse_lowlevel.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "client/file_system.h"

namespace tessera::fuse {

// Drops the kernel's cached pages and attributes of `ino` after a lock on it was granted, so the
// holder reads what the previous holder wrote on another mount. Safe inside a request handler:
// the mount runs without writeback cache, so the kernel has no dirty pages to send first and
// the call never waits for another request of this inode (fuse_lowlevel.h).
void DropKernelCacheAfterGrant(fuse_req_t req, fuse_ino_t ino);

struct BlockedLocksCounters {
  uint64_t waited = 0;       // requests that had to wait
  uint64_t granted = 0;      // ... and were granted
  uint64_t interrupted = 0;  // ... and were interrupted (EINTR)
  uint64_t failed = 0;       // ... and failed otherwise
};

class BlockedLocks {
 public:
  static constexpr std::chrono::milliseconds kFirstPause{10};
  static constexpr std::chrono::milliseconds kLongestPause{200};

  BlockedLocks() = default;
  ~BlockedLocks();
  BlockedLocks(const BlockedLocks&) = delete;
  BlockedLocks& operator=(const BlockedLocks&) = delete;

  // Takes over `req`, whose lock `request` just met a conflict; it is answered later.
  void Wait(fuse_req_t req, fuse_ino_t ino, client::Caller caller, client::LockRequest request,
            std::string op);
  // Answers every waiter (EINTR) and stops the thread. Further Wait calls answer at once.
  void Shutdown();
  BlockedLocksCounters counters() const;

 private:
  struct Waiter {
    fuse_req_t req;
    fuse_ino_t ino;
    client::Caller caller;
    client::LockRequest request;
    std::string op;
    std::chrono::milliseconds pause = kFirstPause;
    std::chrono::steady_clock::time_point next_try;
    std::atomic<bool> interrupted = false;
    int answer_errno = 0;  // TryOnce's outcome once the master decided
    BlockedLocks* owner = nullptr;
  };

  static void OnInterrupt(fuse_req_t req, void* data);
  void Run();
  // Asks the master once for `waiter`; true when it decided (answer_errno holds the outcome).
  bool TryOnce(Waiter& waiter);
  // Unregisters the interrupt callback, then answers `waiter`'s request with `error`.
  void Answer(std::unique_ptr<Waiter> waiter, int error);

  mutable std::mutex mu_;  // guards everything below
  std::condition_variable wake_;
  std::list<std::unique_ptr<Waiter>> waiters_;
  bool stop_ = false;
  BlockedLocksCounters counters_;
  std::thread thread_;
};

}  // namespace tessera::fuse
