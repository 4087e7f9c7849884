// Checks that a history of puts and gets on independent registers is linearizable (Wing & Gong
// search with memoization of visited (linearized set, value) states, one key at a time since
// linearizability is compositional).
//
// An operation is a put(value) or a get() -> value on one key, with invocation and response
// times. A put whose outcome the client never learned, but which took effect, has no response
// (kNever): it may be linearized at any point after its invocation. Gets without a response and
// puts that never took effect constrain nothing and are left out by the caller.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace tessera::raft::sim {

struct KvOperation {
  static constexpr uint64_t kNever = std::numeric_limits<uint64_t>::max();

  std::string key;
  bool is_put = false;
  std::string value;  // put: the value written; get: the value read ("" = absent)
  uint64_t invoked = 0;
  uint64_t responded = kNever;
};

// Empty when linearizable; otherwise names the first key whose history is not. Histories of
// more than `max_ops_per_key` operations on one key are refused (the search is exponential).
std::string CheckLinearizable(const std::vector<KvOperation>& history,
                              size_t max_ops_per_key = 120);

}  // namespace tessera::raft::sim
