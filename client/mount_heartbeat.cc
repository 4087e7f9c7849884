#include "client/mount_heartbeat.h"

#include <chrono>

#include "common/logging.h"

namespace tessera::client {

MountHeartbeat::MountHeartbeat(MasterConnection& master, int64_t mount_id, int64_t interval_ms)
    : master_(master), mount_id_(mount_id), interval_ms_(interval_ms) {}

MountHeartbeat::~MountHeartbeat() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  stop_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void MountHeartbeat::Start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable() || stop_) return;
  thread_ = std::thread([this] { Run(); });
  LOG(kInfo, "client") << "mount " << mount_id_ << " holds file locks: heartbeat every "
                       << interval_ms_ << " ms";
}

void MountHeartbeat::Run() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    lock.unlock();
    Result<rpc::MountHeartbeatReply> reply = master_.MountHeartbeat(mount_id_);
    lock.lock();
    ++counters_.sent;
    if (!reply.ok()) {
      ++counters_.failed;
      LOG(kWarning, "client") << "mount " << mount_id_
                              << " heartbeat failed: " << reply.status().ToString();
    } else if (reply->expired) {
      expired_ = true;
      LOG(kError, "client") << "the master declared mount " << mount_id_
                            << " dead after a silence: its file locks were released and it can "
                               "take no new ones (ENOLCK)";
      return;
    }
    stop_cv_.wait_for(lock, std::chrono::milliseconds(interval_ms_), [this] { return stop_; });
  }
}

bool MountHeartbeat::expired() const {
  std::lock_guard lock(mu_);
  return expired_;
}

MountHeartbeatCounters MountHeartbeat::counters() const {
  std::lock_guard lock(mu_);
  return counters_;
}

}  // namespace tessera::client
