#include "common/rpc_metrics.h"

#include <shared_mutex>
#include <string>
#include <unordered_map>

namespace tessera {

using apache::thrift::TConnectionInfo;
using apache::thrift::TProcessor;
using apache::thrift::TProcessorEventHandler;
using apache::thrift::TProcessorFactory;

namespace {

struct MethodMetrics {
  Counter* calls;
  Histogram* duration;
  Counter* received_bytes;
  Counter* sent_bytes;
  Counter* internal_errors;
};

struct CallContext {
  MethodMetrics* method;
  int64_t start_ns;
};

class MetricsEventHandler : public TProcessorEventHandler {
 public:
  MetricsEventHandler(MetricsRegistry* registry, const Clock* clock)
      : registry_(registry), clock_(clock) {}

  void* getContext(const char* fn_name, void*) override {
    return new CallContext{Lookup(fn_name), clock_->NowMonotonicNanos()};
  }

  void postRead(void* ctx, const char*, uint32_t bytes) override {
    static_cast<CallContext*>(ctx)->method->received_bytes->Increment(bytes);
  }

  void postWrite(void* ctx, const char*, uint32_t bytes) override {
    static_cast<CallContext*>(ctx)->method->sent_bytes->Increment(bytes);
  }

  void handlerError(void* ctx, const char*) override {
    static_cast<CallContext*>(ctx)->method->internal_errors->Increment();
  }

  void freeContext(void* ctx, const char*) override {
    std::unique_ptr<CallContext> call(static_cast<CallContext*>(ctx));
    call->method->calls->Increment();
    call->method->duration->Observe(
        static_cast<double>(clock_->NowMonotonicNanos() - call->start_ns) / 1e9);
  }

 private:
  // "MasterService.lookup" -> its metrics, created on the method's first call.
  MethodMetrics* Lookup(const char* fn_name) {
    const std::string name(fn_name);
    {
      std::shared_lock lock(mu_);
      auto it = methods_.find(name);
      if (it != methods_.end()) return it->second.get();
    }
    const size_t dot = name.find('.');
    const std::string service = dot == std::string::npos ? "" : name.substr(0, dot);
    const std::string method = dot == std::string::npos ? name : name.substr(dot + 1);
    const MetricLabels labels{{"service", service}, {"method", method}};
    auto metrics = std::make_unique<MethodMetrics>(MethodMetrics{
        &registry_->GetCounter("tessera_rpc_calls_total", "RPCs served, by method", labels),
        &registry_->GetHistogram("tessera_rpc_duration_seconds",
                                 "time from reading an RPC to writing its answer", labels,
                                 LatencyBounds()),
        &registry_->GetCounter("tessera_rpc_received_bytes_total",
                               "bytes of RPC requests read, by method", labels),
        &registry_->GetCounter("tessera_rpc_sent_bytes_total",
                               "bytes of RPC answers written, by method", labels),
        &registry_->GetCounter("tessera_rpc_internal_errors_total",
                               "RPCs that failed with an unexpected exception", labels)});
    std::unique_lock lock(mu_);
    auto [it, inserted] = methods_.try_emplace(name, std::move(metrics));
    return it->second.get();
  }

  MetricsRegistry* const registry_;
  const Clock* const clock_;
  std::shared_mutex mu_;
  std::unordered_map<std::string, std::unique_ptr<MethodMetrics>> methods_;  // guarded by mu_
};

class InstrumentedFactory : public TProcessorFactory {
 public:
  InstrumentedFactory(std::shared_ptr<TProcessorFactory> inner,
                      std::shared_ptr<MetricsEventHandler> handler)
      : inner_(std::move(inner)), handler_(std::move(handler)) {}

  std::shared_ptr<TProcessor> getProcessor(const TConnectionInfo& info) override {
    std::shared_ptr<TProcessor> processor = inner_->getProcessor(info);
    processor->setEventHandler(handler_);
    return processor;
  }

 private:
  std::shared_ptr<TProcessorFactory> inner_;
  std::shared_ptr<MetricsEventHandler> handler_;
};

}  // namespace

std::shared_ptr<TProcessorFactory> InstrumentProcessors(std::shared_ptr<TProcessorFactory> inner,
                                                        MetricsRegistry* registry,
                                                        const Clock* clock) {
  return std::make_shared<InstrumentedFactory>(
      std::move(inner), std::make_shared<MetricsEventHandler>(registry, clock));
}

}  // namespace tessera
