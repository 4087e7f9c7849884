// Time reaches core logic through this interface so that tests and the simulation can drive it.
#pragma once

#include <cstdint>

namespace tessera {

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time, nanoseconds since the Unix epoch: for file times.
  virtual int64_t NowUnixNanos() const = 0;
  // Monotonic time, nanoseconds from an arbitrary origin: for timeouts and liveness.
  virtual int64_t NowMonotonicNanos() const = 0;
};

// The process clock. Stateless and thread-safe.
class SystemClock final : public Clock {
 public:
  int64_t NowUnixNanos() const override;
  int64_t NowMonotonicNanos() const override;
};

}  // namespace tessera
