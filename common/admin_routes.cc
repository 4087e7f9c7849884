#include "common/admin_routes.h"

namespace tessera {

void AddStandardAdminRoutes(HttpAdminServer* server, const MetricsRegistry* registry,
                            AdminRouteHooks hooks) {
  server->AddRoute("/metrics", [registry](const HttpRequest&) {
    HttpResponse response;
    response.content_type = "text/plain; version=0.0.4; charset=utf-8";
    response.body = registry->Render();
    return response;
  });
  server->AddRoute("/status", [status = hooks.status](const HttpRequest&) {
    JsonWriter json;
    json.BeginObject();
    status(json);
    json.EndObject();
    HttpResponse response;
    response.content_type = "application/json";
    response.body = json.text() + "\n";
    return response;
  });
  server->AddRoute("/healthz", [health = hooks.health](const HttpRequest&) {
    HealthReport report = health();
    HttpResponse response;
    response.status = report.serving ? 200 : 503;
    response.body = (report.serving ? "ok" : "unavailable") +
                    (report.detail.empty() ? "" : " " + report.detail) + "\n";
    return response;
  });
}

void RegisterUptimeMetric(MetricsRegistry* registry, const Clock* clock, int64_t started_ns) {
  registry->AddValueReader("tessera_uptime_seconds", "seconds since this daemon started",
                           MetricType::kGauge, [clock, started_ns] {
                             return static_cast<double>(clock->NowMonotonicNanos() - started_ns) /
                                    1e9;
                           });
}

bool ValidAdminPort(int64_t port) { return port >= 0 && port <= 65535; }

}  // namespace tessera
