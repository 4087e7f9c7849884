#include "common/periodic_thread.h"

#include <chrono>
#include <utility>

namespace tessera {

PeriodicThread::PeriodicThread(int interval_ms, std::function<void()> tick)
    : interval_ms_(interval_ms), tick_(std::move(tick)), thread_([this] { Loop(); }) {}

PeriodicThread::~PeriodicThread() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void PeriodicThread::Loop() {
  std::unique_lock lock(mu_);
  while (!wake_.wait_for(lock, std::chrono::milliseconds(interval_ms_),
                         [this] { return stopping_; })) {
    lock.unlock();
    tick_();
    lock.lock();
  }
}

}  // namespace tessera
