#include "master/balance_request.h"

#include <cmath>
#include <string>

namespace tessera::master {

Status ValidateBalanceRequest(double threshold_pct, int64_t bandwidth_bytes_per_sec) {
  if (!std::isfinite(threshold_pct) || threshold_pct <= 0 ||
      threshold_pct > kMaxBalanceThresholdPct) {
    return Status::InvalidArgument("the balance threshold must be > 0 and <= " +
                                   std::to_string(static_cast<int>(kMaxBalanceThresholdPct)) +
                                   " percentage points, got " + std::to_string(threshold_pct));
  }
  if (bandwidth_bytes_per_sec < 0 || bandwidth_bytes_per_sec > kMaxBalanceBandwidth) {
    return Status::InvalidArgument("the balance bandwidth must be 0 (no cap) .. " +
                                   std::to_string(kMaxBalanceBandwidth) + " bytes/s, got " +
                                   std::to_string(bandwidth_bytes_per_sec));
  }
  return Status::Ok();
}

}  // namespace tessera::master
