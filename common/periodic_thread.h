// A thread that calls `tick` every `interval_ms` (the first time one interval after the start)
// until destroyed. The destructor wakes the thread, waits for a tick in progress to return, and
// joins it; no tick starts after the destructor began.
//
// Thread-safety: construct and destroy from one thread; `tick` runs on the owned thread only.
// mu_ guards stopping_.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace tessera {

class PeriodicThread {
 public:
  // REQUIRES: interval_ms > 0. `tick` must not destroy this object.
  PeriodicThread(int interval_ms, std::function<void()> tick);
  ~PeriodicThread();
  PeriodicThread(const PeriodicThread&) = delete;
  PeriodicThread& operator=(const PeriodicThread&) = delete;

 private:
  void Loop();

  const int interval_ms_;
  const std::function<void()> tick_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;  // guarded by mu_
  std::thread thread_;     // last: started once everything above exists
};

}  // namespace tessera
