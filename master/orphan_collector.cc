#include "master/orphan_collector.h"

namespace tessera::master {

OrphanCollector::OrphanCollector(const Clock* clock, int64_t grace_ms)
    : clock_(clock), grace_ns_(grace_ms * 1'000'000) {}

std::vector<int64_t> OrphanCollector::Collect(const std::vector<int64_t>& known,
                                              const std::unordered_set<int64_t>& referenced) {
  const int64_t now = clock_->NowMonotonicNanos();
  std::unordered_map<int64_t, int64_t> still_unreferenced;
  std::vector<int64_t> expired;
  for (int64_t chunk_id : known) {
    if (referenced.contains(chunk_id)) continue;
    auto seen = unreferenced_since_ns_.find(chunk_id);
    const int64_t since = seen == unreferenced_since_ns_.end() ? now : seen->second;
    if (now - since >= grace_ns_) {
      expired.push_back(chunk_id);
    } else {
      still_unreferenced.emplace(chunk_id, since);
    }
  }
  // An id referenced again, or no longer known anywhere, starts afresh if it comes back.
  unreferenced_since_ns_ = std::move(still_unreferenced);
  return expired;
}

void OrphanCollector::Reset() { unreferenced_since_ns_.clear(); }

}  // namespace tessera::master
