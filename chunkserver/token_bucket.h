// A byte-rate limit shared by several threads (the replication bandwidth of this server).
//
// Callers take tokens for the bytes they move and are told how long to wait before moving on.
// The bucket holds at most `burst_bytes` and refills at `bytes_per_second`; a take larger than
// what is there puts the bucket in debt, which later takes wait out too, so the long-run rate
// stays at the limit however many threads share it and however large each take is.
//
// Thread-safe. The clock must outlive the bucket.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>

#include "common/clock.h"

namespace tessera {

class TokenBucket {
 public:
  // bytes_per_second 0 means unlimited. REQUIRES: bytes_per_second >= 0, burst_bytes > 0.
  TokenBucket(int64_t bytes_per_second, int64_t burst_bytes, const Clock* clock);

  // Takes `bytes` tokens and returns how long the caller must wait before moving those bytes
  // (zero when they were in the bucket).
  std::chrono::nanoseconds Take(int64_t bytes);

 private:
  const int64_t bytes_per_second_;
  const double burst_bytes_;
  const Clock* const clock_;

  std::mutex mu_;
  double tokens_;        // guarded by mu_; negative while in debt
  int64_t refilled_ns_;  // guarded by mu_: monotonic time tokens_ was last brought up to date
};

}  // namespace tessera
