#include "fuse/lock_wait.h"

#include <algorithm>

namespace tessera::fuse {

LockWait::LockWait(fuse_req_t req) : req_(req) {
  // Calls OnInterrupt at once when the interrupt came already.
  fuse_req_interrupt_func(req_, &LockWait::OnInterrupt, this);
}

LockWait::~LockWait() { fuse_req_interrupt_func(req_, nullptr, nullptr); }

void LockWait::OnInterrupt(fuse_req_t, void* data) {
  auto* wait = static_cast<LockWait*>(data);
  {
    std::lock_guard lock(wait->mu_);
    wait->interrupted_ = true;
  }
  wait->interrupted_cv_.notify_all();
}

bool LockWait::WaitOrInterrupted() {
  std::unique_lock lock(mu_);
  interrupted_cv_.wait_for(lock, pause_, [this] { return interrupted_; });
  pause_ = std::min(pause_ * 2, kLongestPause);
  return interrupted_;
}

}  // namespace tessera::fuse
