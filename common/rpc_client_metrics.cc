#include "common/rpc_client_metrics.h"

#include <cctype>
#include <mutex>

namespace tessera {

namespace {

// The error slot of a failed outcome (see kTransportKinds / kStatusCodeSlots).
size_t ErrorSlot(const RpcOutcome& outcome, size_t transport_kinds, size_t code_slots) {
  switch (outcome.failure) {
    case RpcFailure::kConnect:
      return 0;
    case RpcFailure::kTimeout:
      return 1;
    case RpcFailure::kTransport:
      return 2;
    case RpcFailure::kProtocol:
      return 3;
    case RpcFailure::kNone:
    case RpcFailure::kRemoteError:
      break;
  }
  const auto code = static_cast<size_t>(outcome.status.code());
  return transport_kinds + (code < code_slots ? code : code_slots - 1);
}

}  // namespace

std::string RpcErrorKind(const RpcOutcome& outcome) {
  switch (outcome.failure) {
    case RpcFailure::kConnect:
      return "connect";
    case RpcFailure::kTimeout:
      return "timeout";
    case RpcFailure::kTransport:
      return "transport";
    case RpcFailure::kProtocol:
      return "protocol";
    case RpcFailure::kNone:
    case RpcFailure::kRemoteError:
      break;
  }
  // A fake channel may fail a call without saying how: its status code is the kind then.
  if (outcome.status.ok()) return "";
  std::string kind(StatusCodeName(outcome.status.code()));
  for (char& c : kind) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return kind;
}

RpcClientMetrics::RpcClientMetrics(MetricsRegistry* registry, const Clock* clock)
    : registry_(registry), clock_(clock) {}

RpcClientMetrics::MethodMetrics& RpcClientMetrics::Method(std::string_view service,
                                                          std::string_view method) {
  std::string key;
  key.reserve(service.size() + 1 + method.size());
  key.append(service).append(".").append(method);
  {
    std::shared_lock lock(mu_);
    auto it = methods_.find(key);
    if (it != methods_.end()) return *it->second;
  }
  auto metrics = std::make_unique<MethodMetrics>();
  metrics->labels = {{"service", std::string(service)}, {"method", std::string(method)}};
  metrics->calls =
      &registry_->GetCounter("tessera_client_rpc_calls_total",
                             "RPC attempts this client sent, by method", metrics->labels);
  metrics->duration =
      &registry_->GetHistogram("tessera_client_rpc_duration_seconds",
                               "time from leasing a connection to the answer of an RPC attempt",
                               metrics->labels, LatencyBounds());
  std::unique_lock lock(mu_);
  auto [it, inserted] = methods_.try_emplace(std::move(key), std::move(metrics));
  return *it->second;
}

void RpcClientMetrics::Record(MethodMetrics& metrics, const RpcOutcome& outcome,
                              int64_t duration_ns) {
  metrics.calls->Increment();
  metrics.duration->Observe(static_cast<double>(duration_ns) / 1e9);
  if (outcome.status.ok()) return;
  std::atomic<Counter*>& slot =
      metrics.errors[ErrorSlot(outcome, kTransportKinds, kStatusCodeSlots)];
  Counter* errors = slot.load(std::memory_order_acquire);
  if (errors == nullptr) {
    // The registry hands every caller the same counter for a label set, so racing first
    // errors store the same pointer.
    MetricLabels labels = metrics.labels;
    labels.emplace_back("kind", RpcErrorKind(outcome));
    errors = &registry_->GetCounter("tessera_client_rpc_errors_total",
                                    "RPC attempts that failed, by method and kind", labels);
    slot.store(errors, std::memory_order_release);
  }
  errors->Increment();
}

}  // namespace tessera
