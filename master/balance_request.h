// What an operator's balance may ask for (`tessera balance`, master/balancer.h): checked at the
// RPC edge, when a SetBalanceCommand is applied and when a BalanceRecord is read back. Pure;
// thread-safe.
#pragma once

#include <cstdint>

#include "common/status.h"

namespace tessera::master {

inline constexpr double kMaxBalanceThresholdPct = 50.0;
inline constexpr int64_t kMaxBalanceBandwidth = int64_t{10} * 1000 * 1000 * 1000;  // 10 GB/s

// kInvalidArgument unless 0 < threshold_pct <= kMaxBalanceThresholdPct and
// 0 <= bandwidth <= kMaxBalanceBandwidth (0: no cap).
Status ValidateBalanceRequest(double threshold_pct, int64_t bandwidth_bytes_per_sec);

}  // namespace tessera::master
