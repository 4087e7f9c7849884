// Per-method RPC metrics of a Thrift server, recorded by a TProcessorEventHandler that every
// connection's processor carries: calls, latency (from the start of reading the request to the
// end of writing the answer), request and answer bytes, and calls that ended in an unexpected
// exception (a TesseraError is an answer, not counted here).
//
//   tessera_rpc_calls_total{service,method}            counter
//   tessera_rpc_duration_seconds{service,method}       histogram
//   tessera_rpc_received_bytes_total{service,method}   counter
//   tessera_rpc_sent_bytes_total{service,method}       counter
//   tessera_rpc_internal_errors_total{service,method}  counter
//
// Ownership: InstrumentProcessors wraps a processor factory; the registry and clock must
// outlive the returned factory. Thread-safety: the handler is shared by every connection thread.
#pragma once

#include <thrift/TProcessor.h>

#include <memory>

#include "common/clock.h"
#include "common/metrics.h"

namespace tessera {

// A factory that hands out `inner`'s processors with the metrics event handler set.
std::shared_ptr<apache::thrift::TProcessorFactory> InstrumentProcessors(
    std::shared_ptr<apache::thrift::TProcessorFactory> inner, MetricsRegistry* registry,
    const Clock* clock);

}  // namespace tessera
