// Decides, for one simulated node, whether a storage or state machine call fails. A failed call
// is a crash at that point: it happens or not (a coin decides), then reports an I/O error, the
// core stops and the simulation restarts the node from what is durable.
#pragma once

#include <cstdint>
#include <random>
#include <string>

namespace tessera::raft::sim {

class FaultPlan {
 public:
  enum class Outcome { kProceed, kFailBefore, kFailAfter };

  explicit FaultPlan(uint64_t seed) : rng_(seed) {}

  // Probability that any one call fails; 0 disables faults.
  void set_failure_rate(double rate) { failure_rate_ = rate; }

  Outcome Next() {
    if (failure_rate_ <= 0 || std::uniform_real_distribution<double>(0, 1)(rng_) >= failure_rate_) {
      return Outcome::kProceed;
    }
    ++failures_;
    return (rng_() & 1) != 0 ? Outcome::kFailAfter : Outcome::kFailBefore;
  }
  uint64_t failures() const { return failures_; }

 private:
  std::mt19937_64 rng_;
  double failure_rate_ = 0;
  uint64_t failures_ = 0;
};

}  // namespace tessera::raft::sim
