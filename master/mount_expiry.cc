#include "master/mount_expiry.h"

#include <chrono>

#include "common/logging.h"
#include "master/lock_store.h"

namespace tessera::master {

MountExpiry::MountExpiry(CommandLog* log, const StateMachine* state, MountLiveness* liveness,
                         int64_t check_interval_ms)
    : log_(log),
      state_(state),
      liveness_(liveness),
      check_interval_ms_(check_interval_ms),
      thread_([this] { Run(); }) {}

MountExpiry::~MountExpiry() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  stop_cv_.notify_all();
  thread_.join();
}

void MountExpiry::Run() {
  std::unique_lock lock(mu_);
  while (!stop_cv_.wait_for(lock, std::chrono::milliseconds(check_interval_ms_),
                            [this] { return stop_; })) {
    lock.unlock();
    CheckOnce();
    lock.lock();
  }
}

void MountExpiry::CheckOnce() {
  Result<LeaderTenure> tenure = log_->CheckLeader();
  if (!tenure.ok()) return;
  Result<std::vector<int64_t>> holders = ListMountsHoldingLocks(*state_->CurrentStore());
  if (!holders.ok()) {
    LOG(kError, "master") << "cannot list the mounts holding locks: "
                          << holders.status().ToString();
    return;
  }
  const std::vector<int64_t> silent = liveness_->SilentMounts(tenure->term, *holders);
  uint64_t expired = 0;
  uint64_t failed = 0;
  for (int64_t mount_id : silent) {
    MetaCommand command;
    master_state::ExpireMountCommand expire;
    expire.mount_id = mount_id;
    command.__set_expire_mount(expire);
    Result<ApplyResult> applied = log_->Propose(std::move(command));
    if (applied.ok()) {
      ++expired;
      LOG(kWarning, "master") << "mount " << mount_id << " sent no heartbeat for over "
                              << liveness_->timeout_ms()
                              << " ms: declared dead, all its locks released";
    } else {
      // It stays silent and holding, so the next pass (or the next leader) tries again.
      ++failed;
      LOG(kWarning, "master") << "expiring silent mount " << mount_id
                              << " failed: " << applied.status().ToString();
    }
  }
  std::lock_guard lock(mu_);
  ++counters_.checks;
  counters_.expired += expired;
  counters_.expire_failures += failed;
}

MountExpiryCounters MountExpiry::counters() const {
  std::lock_guard lock(mu_);
  return counters_;
}

}  // namespace tessera::master
