// Randomness reaches the Raft core only through this interface, so that a seeded
// implementation makes a simulation replay exactly.
// Thread-safety: called from the core's caller thread only.
#pragma once

#include <cstdint>

namespace tessera::raft {

class Random {
 public:
  virtual ~Random() = default;
  // A uniformly distributed value in [0, bound). REQUIRES: bound > 0.
  virtual uint64_t Uniform(uint64_t bound) = 0;
};

}  // namespace tessera::raft
