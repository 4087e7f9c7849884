#include "chunkserver/token_bucket.h"

#include <algorithm>
#include <cmath>

namespace tessera {

TokenBucket::TokenBucket(int64_t bytes_per_second, int64_t burst_bytes, const Clock* clock)
    : bytes_per_second_(bytes_per_second),
      burst_bytes_(static_cast<double>(burst_bytes)),
      clock_(clock),
      tokens_(static_cast<double>(burst_bytes)),
      refilled_ns_(clock->NowMonotonicNanos()) {}

std::chrono::nanoseconds TokenBucket::Take(int64_t bytes) {
  if (bytes_per_second_ == 0) return std::chrono::nanoseconds(0);
  const double rate = static_cast<double>(bytes_per_second_);
  std::lock_guard lock(mu_);
  const int64_t now = clock_->NowMonotonicNanos();
  const auto elapsed_ns = static_cast<double>(std::max<int64_t>(0, now - refilled_ns_));
  // Multiplications before divisions keep whole numbers exact where they fit in a double.
  tokens_ = std::min(burst_bytes_, tokens_ + elapsed_ns * rate / 1e9);
  refilled_ns_ = now;
  tokens_ -= static_cast<double>(bytes);
  if (tokens_ >= 0) return std::chrono::nanoseconds(0);
  return std::chrono::nanoseconds(static_cast<int64_t>(std::ceil(-tokens_ * 1e9 / rate)));
}

}  // namespace tessera
