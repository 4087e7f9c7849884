#include "fuse/blocked_locks.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "common/logging.h"
#include "fuse/errno_mapping.h"
#include "fuse/tessera_fuse.h"

namespace tessera::fuse {

void DropKernelCacheAfterGrant(fuse_req_t req, fuse_ino_t ino) {
  fuse_session* session = TesseraFuse::FromRequest(req).session();
  if (session == nullptr) return;
  const int result = fuse_lowlevel_notify_inval_inode(session, ino, 0, 0);
  // ENOENT: the kernel holds nothing of the inode, so nothing is stale.
  if (result != 0 && result != -ENOENT) {
    LOG(kWarning, "fuse") << "inode " << ino << ": the kernel cache was not dropped after a lock "
                          << "was granted: " << std::strerror(-result);
  }
}

BlockedLocks::~BlockedLocks() { Shutdown(); }

void BlockedLocks::Wait(fuse_req_t req, fuse_ino_t ino, client::Caller caller,
                        client::LockRequest request, std::string op) {
  auto waiter = std::make_unique<Waiter>();
  waiter->req = req;
  waiter->ino = ino;
  waiter->caller = std::move(caller);
  waiter->request = request;
  waiter->op = std::move(op);
  waiter->next_try = std::chrono::steady_clock::now() + waiter->pause;
  waiter->owner = this;
  LOG(kDebug, "fuse") << waiter->op << " inode " << ino << ": waits for a conflicting lock";
  // Registered before the thread can see the waiter, outside mu_ (see the header); it calls
  // OnInterrupt at once when the interrupt came already.
  fuse_req_interrupt_func(req, &BlockedLocks::OnInterrupt, waiter.get());
  {
    std::lock_guard lock(mu_);
    if (!stop_) {
      ++counters_.waited;
      waiters_.push_back(std::move(waiter));
      if (!thread_.joinable()) thread_ = std::thread([this] { Run(); });
      wake_.notify_all();
      return;
    }
  }
  Answer(std::move(waiter), EINTR);  // the session is ending
}

void BlockedLocks::OnInterrupt(fuse_req_t, void* data) {
  auto* waiter = static_cast<Waiter*>(data);
  BlockedLocks* self = waiter->owner;
  std::lock_guard lock(self->mu_);
  waiter->interrupted = true;
  self->wake_.notify_all();
}

void BlockedLocks::Run() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    const auto now = std::chrono::steady_clock::now();
    std::vector<std::unique_ptr<Waiter>> due;
    auto next_wake = now + kLongestPause;
    for (auto it = waiters_.begin(); it != waiters_.end();) {
      if ((*it)->interrupted || (*it)->next_try <= now) {
        due.push_back(std::move(*it));
        it = waiters_.erase(it);
      } else {
        next_wake = std::min(next_wake, (*it)->next_try);
        ++it;
      }
    }
    if (due.empty()) {
      wake_.wait_until(lock, next_wake);
      continue;
    }
    lock.unlock();
    std::vector<std::unique_ptr<Waiter>> again;
    for (std::unique_ptr<Waiter>& waiter : due) {
      if (waiter->interrupted) {
        Answer(std::move(waiter), EINTR);
      } else if (TryOnce(*waiter)) {
        const int error = waiter->answer_errno;
        Answer(std::move(waiter), error);
      } else {
        waiter->pause = std::min(waiter->pause * 2, std::chrono::milliseconds(kLongestPause));
        waiter->next_try = std::chrono::steady_clock::now() + waiter->pause;
        again.push_back(std::move(waiter));
      }
    }
    lock.lock();
    for (std::unique_ptr<Waiter>& waiter : again) waiters_.push_back(std::move(waiter));
  }
}

bool BlockedLocks::TryOnce(Waiter& waiter) {
  client::FileSystem& fs = TesseraFuse::FromRequest(waiter.req).fs();
  Result<rpc::Attr> granted = fs.SetLock(waiter.caller, waiter.request);
  if (granted.status().code() == StatusCode::kWouldBlock) return false;
  waiter.answer_errno = granted.ok() ? 0 : ErrnoFromStatus(granted.status());
  if (granted.ok()) {
    DropKernelCacheAfterGrant(waiter.req, waiter.ino);
  } else {
    LOG(kDebug, "fuse") << waiter.op << " inode " << waiter.ino
                        << " failed while waiting: " << granted.status().ToString();
  }
  return true;
}

void BlockedLocks::Answer(std::unique_ptr<Waiter> waiter, int error) {
  // After this no interrupt callback runs for the request, so it can be answered and freed.
  fuse_req_interrupt_func(waiter->req, nullptr, nullptr);
  {
    std::lock_guard lock(mu_);
    if (error == 0) ++counters_.granted;
    if (error == EINTR) ++counters_.interrupted;
    if (error != 0 && error != EINTR) ++counters_.failed;
  }
  LOG(kDebug, "fuse") << waiter->op << " inode " << waiter->ino << " answered after waiting: "
                      << (error == 0 ? "granted" : std::strerror(error));
  fuse_reply_err(waiter->req, error);
}

void BlockedLocks::Shutdown() {
  {
    std::lock_guard lock(mu_);
    if (stop_) return;
    stop_ = true;
    wake_.notify_all();
  }
  // The thread puts back what it was trying when it saw stop_; then nothing else touches it.
  if (thread_.joinable()) thread_.join();
  std::list<std::unique_ptr<Waiter>> left;
  {
    std::lock_guard lock(mu_);
    left.swap(waiters_);
  }
  for (std::unique_ptr<Waiter>& waiter : left) Answer(std::move(waiter), EINTR);
}

BlockedLocksCounters BlockedLocks::counters() const {
  std::lock_guard lock(mu_);
  return counters_;
}

}  // namespace tessera::fuse
