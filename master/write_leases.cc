#include "master/write_leases.h"

#include <utility>

namespace tessera::master {

WriteLeaseTable::WriteLeaseTable(const Clock* clock, int64_t duration_ms)
    : clock_(clock), duration_ns_(duration_ms * 1'000'000) {}

std::optional<WriteLease> WriteLeaseTable::Renew(int64_t chunk_id, int64_t version) {
  const int64_t now = clock_->NowMonotonicNanos();
  std::lock_guard lock(mu_);
  auto it = leases_.find(chunk_id);
  if (it == leases_.end() || it->second.version != version || it->second.expires_ns <= now) {
    return std::nullopt;
  }
  it->second.expires_ns = now + duration_ns_;
  ++counters_.extended;
  return it->second;
}

void WriteLeaseTable::Grant(int64_t chunk_id, int64_t version, std::vector<int64_t> chain) {
  const int64_t now = clock_->NowMonotonicNanos();
  std::lock_guard lock(mu_);
  leases_[chunk_id] = WriteLease{version, std::move(chain), now + duration_ns_};
  ++counters_.granted;
  SweepLocked(now);
}

void WriteLeaseTable::Revoke(int64_t chunk_id) {
  std::lock_guard lock(mu_);
  leases_.erase(chunk_id);
}

bool WriteLeaseTable::TryBeginGrant(int64_t chunk_id) {
  std::lock_guard lock(mu_);
  return granting_.insert(chunk_id).second;
}

void WriteLeaseTable::EndGrant(int64_t chunk_id) {
  std::lock_guard lock(mu_);
  granting_.erase(chunk_id);
}

size_t WriteLeaseTable::size() const {
  std::lock_guard lock(mu_);
  return leases_.size();
}

WriteLeaseCounters WriteLeaseTable::counters() const {
  std::lock_guard lock(mu_);
  return counters_;
}

void WriteLeaseTable::SweepLocked(int64_t now) {
  if (leases_.size() < 2 * size_after_sweep_ + 64) return;
  std::erase_if(leases_, [now](const auto& entry) { return entry.second.expires_ns <= now; });
  size_after_sweep_ = leases_.size();
}

}  // namespace tessera::master
