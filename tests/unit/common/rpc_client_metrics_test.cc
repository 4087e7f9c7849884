#include "common/rpc_client_metrics.h"

#include <gtest/gtest.h>

#include <string>

namespace tessera {
namespace {

class StepClock final : public Clock {
 public:
  int64_t NowUnixNanos() const override { return now_ns_; }
  int64_t NowMonotonicNanos() const override { return now_ns_; }
  void AdvanceMs(int64_t ms) { now_ns_ += ms * 1'000'000; }

 private:
  int64_t now_ns_ = 1'000'000'000;
};

bool Has(const std::string& text, const std::string& line) {
  return text.find(line + "\n") != std::string::npos;
}

TEST(RpcClientMetricsTest, CountsAttemptsErrorsByKindAndLatency) {
  MetricsRegistry registry;
  StepClock clock;
  RpcClientMetrics metrics(&registry, &clock);

  RpcOutcome ok = metrics.Measure("MasterService", "lookup", [&] {
    clock.AdvanceMs(3);
    return RpcOutcome{};
  });
  EXPECT_TRUE(ok.status.ok());
  metrics.Measure("MasterService", "lookup", [&] {
    return RpcOutcome{Status::NotFound("x"), false, "", RpcFailure::kRemoteError};
  });
  metrics.Measure("MasterService", "lookup", [&] {
    return RpcOutcome{Status::NotFound("y"), false, "", RpcFailure::kRemoteError};
  });
  metrics.Measure("ChunkServerService", "readChunk", [&] {
    clock.AdvanceMs(2000);
    return RpcOutcome{Status::Unavailable("transport: EAGAIN (timed out)"), true, "",
                      RpcFailure::kTimeout};
  });
  metrics.Measure("ChunkServerService", "readChunk", [&] {
    return RpcOutcome{Status::Unavailable("cannot connect"), true, "", RpcFailure::kConnect};
  });

  const std::string text = registry.Render();
  EXPECT_TRUE(
      Has(text, "tessera_client_rpc_calls_total{service=\"MasterService\",method=\"lookup\"} 3"))
      << text;
  EXPECT_TRUE(Has(text,
                  "tessera_client_rpc_errors_total{service=\"MasterService\",method=\"lookup\","
                  "kind=\"not_found\"} 2"))
      << text;
  EXPECT_TRUE(Has(text,
                  "tessera_client_rpc_errors_total{service=\"ChunkServerService\",method="
                  "\"readChunk\",kind=\"timeout\"} 1"))
      << text;
  EXPECT_TRUE(Has(text,
                  "tessera_client_rpc_errors_total{service=\"ChunkServerService\",method="
                  "\"readChunk\",kind=\"connect\"} 1"))
      << text;
  // 3 ms lands in the 5 ms bucket (not the 2.5 ms one); the 2 s timeout lands above 1 s.
  EXPECT_TRUE(Has(text,
                  "tessera_client_rpc_duration_seconds_bucket{service=\"MasterService\",method="
                  "\"lookup\",le=\"0.0025\"} 2"))
      << text;
  EXPECT_TRUE(Has(text,
                  "tessera_client_rpc_duration_seconds_bucket{service=\"MasterService\",method="
                  "\"lookup\",le=\"0.005\"} 3"))
      << text;
  EXPECT_TRUE(Has(text,
                  "tessera_client_rpc_duration_seconds_count{service=\"ChunkServerService\","
                  "method=\"readChunk\"} 2"))
      << text;
  EXPECT_EQ(text.find("kind=\"\""), std::string::npos) << "successes are not errors";
}

TEST(RpcClientMetricsTest, ErrorKindNames) {
  EXPECT_EQ(RpcErrorKind(RpcOutcome{}), "");
  EXPECT_EQ(RpcErrorKind({Status::NotLeader("m2"), false, "m2", RpcFailure::kRemoteError}),
            "not_leader");
  EXPECT_EQ(RpcErrorKind({Status::Internal("remote: x"), true, "", RpcFailure::kProtocol}),
            "protocol");
  EXPECT_EQ(RpcErrorKind({Status::Unavailable("transport"), true, "", RpcFailure::kTransport}),
            "transport");
  // A fake channel that does not say how it failed: the status code is the kind.
  RpcOutcome unexplained;
  unexplained.status = Status::Unavailable("down");
  unexplained.connection_broken = true;
  EXPECT_EQ(RpcErrorKind(unexplained), "unavailable");
}

TEST(RpcClientMetricsTest, MeasureRpcWithoutMetricsJustCalls) {
  int calls = 0;
  RpcOutcome outcome = MeasureRpc(nullptr, "MasterService", "getattr", [&] {
    ++calls;
    return RpcOutcome{Status::NotFound("gone"), false, "", RpcFailure::kRemoteError};
  });
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(outcome.status.code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace tessera
