// The pause of a blocking lock request (F_SETLKW, flock without LOCK_NB) between two tries,
// cut short when the kernel interrupts the request (the process got a signal): the handler
// then answers EINTR, as a local file system's blocked lock call returns.
//
// The master never parks a request (master/master_service_locks.cc), so a waiter asks again
// with a growing pause (kFirstPause doubling to kLongestPause): a lock freed by its holder is
// seen within kLongestPause, and a waiter costs the master at most a few requests a second.
//
// Lifetime: lives on the handler's stack for one request and must be destroyed before the
// request is answered (the destructor unregisters the interrupt callback, which libfuse would
// otherwise call on a freed request). Thread-safety: WaitOrInterrupted is called by the handler
// thread; the interrupt callback may run on any loop thread; mu_ guards interrupted_.
#pragma once

#include <fuse_lowlevel.h>

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace tessera::fuse {

class LockWait {
 public:
  static constexpr std::chrono::milliseconds kFirstPause{10};
  static constexpr std::chrono::milliseconds kLongestPause{200};

  explicit LockWait(fuse_req_t req);
  ~LockWait();
  LockWait(const LockWait&) = delete;
  LockWait& operator=(const LockWait&) = delete;

  // Sleeps the next pause; true when the request was interrupted (before or during it).
  bool WaitOrInterrupted();

 private:
  static void OnInterrupt(fuse_req_t req, void* data);

  const fuse_req_t req_;
  std::chrono::milliseconds pause_ = kFirstPause;
  std::mutex mu_;
  std::condition_variable interrupted_cv_;
  bool interrupted_ = false;
};

}  // namespace tessera::fuse
