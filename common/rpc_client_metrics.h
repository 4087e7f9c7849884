// Per-method metrics of the RPCs a process makes as a client (the mount's calls to masters and
// chunk servers), the counterpart of rpc_metrics.h's server side. Each attempt sent to one
// server counts once, so a call the master client retries on another master counts per try:
//
//   tessera_client_rpc_calls_total{service,method}          counter   attempts
//   tessera_client_rpc_duration_seconds{service,method}     histogram attempt latency, from
//                                                           leasing a connection (connecting
//                                                           when none is idle) to the answer
//   tessera_client_rpc_errors_total{service,method,kind}    counter   failed attempts
//
// kind: "connect", "timeout", "transport", "protocol" when no answer came (RpcFailure), or the
// TesseraError's code in lower case ("not_leader", "not_found", ...) when the server answered
// one. A not_found answer to a lookup is an error of the RPC, not of the program that asked.
//
// Ownership: the process owns one RpcClientMetrics and lends it to its RPC clients; the registry
// and clock outlive it, and it outlives every client that records into it. No global state.
// Thread-safety: thread-safe. The hot path takes a shared lock to find the method's metrics
// (an exclusive one only at a method's first call) and then only relaxed atomics.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "common/clock.h"
#include "common/metrics.h"
#include "common/rpc_errors.h"

namespace tessera {

// The `kind` label of a failed outcome (see above); "" for a success.
std::string RpcErrorKind(const RpcOutcome& outcome);

class RpcClientMetrics {
 public:
  RpcClientMetrics(MetricsRegistry* registry, const Clock* clock);
  RpcClientMetrics(const RpcClientMetrics&) = delete;
  RpcClientMetrics& operator=(const RpcClientMetrics&) = delete;

  // Runs `attempt` (one call to one server, returning its RpcOutcome), timing and counting it.
  template <typename F>
  RpcOutcome Measure(std::string_view service, std::string_view method, F&& attempt) {
    MethodMetrics& metrics = Method(service, method);
    const int64_t start_ns = clock_->NowMonotonicNanos();
    RpcOutcome outcome = std::forward<F>(attempt)();
    Record(metrics, outcome, clock_->NowMonotonicNanos() - start_ns);
    return outcome;
  }

 private:
  // connect, timeout, transport, protocol, then one slot per status code value.
  static constexpr size_t kTransportKinds = 4;
  static constexpr size_t kStatusCodeSlots = 64;

  struct MethodMetrics {
    MetricLabels labels;
    Counter* calls = nullptr;
    Histogram* duration = nullptr;
    // Created at the first error of each kind; a slot, once set, never changes.
    std::array<std::atomic<Counter*>, kTransportKinds + kStatusCodeSlots> errors{};
  };

  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
  };

  MethodMetrics& Method(std::string_view service, std::string_view method);
  void Record(MethodMetrics& metrics, const RpcOutcome& outcome, int64_t duration_ns);

  MetricsRegistry* const registry_;
  const Clock* const clock_;
  std::shared_mutex mu_;
  // "service.method" -> its metrics; entries are never removed. Guarded by mu_.
  std::unordered_map<std::string, std::unique_ptr<MethodMetrics>, StringHash, std::equal_to<>>
      methods_;
};

// Measure through `metrics`, or just run `attempt` when there is none (the CLI, tests).
template <typename F>
RpcOutcome MeasureRpc(RpcClientMetrics* metrics, std::string_view service, std::string_view method,
                      F&& attempt) {
  if (metrics == nullptr) return std::forward<F>(attempt)();
  return metrics->Measure(service, method, std::forward<F>(attempt));
}

}  // namespace tessera
