// The HTTP admin port of a daemon (/metrics, /status, /healthz, ...): a small HTTP/1.1 server on
// Boost.Beast that answers GET requests from registered route handlers.
//
// One thread, owned by the server, runs every connection asynchronously, so a slow or silent
// client never blocks another (each read has a deadline). Handlers run on that thread: they must
// be quick and must not block on the network (read local state, never wait for a quorum).
// Anything malformed (bad request line, oversized header or body, non-GET method, unknown path)
// gets a 4xx answer or a closed connection; nothing a client sends can crash the daemon.
//
// Ownership: the server owns its thread and sockets; handlers are copied in. Thread-safety:
// AddRoute before Start only; Start and Stop from one thread; Stop (also run by the destructor)
// closes every connection and joins the thread.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include "common/address.h"
#include "common/status.h"

namespace tessera {

struct HttpRequest {
  std::string path;   // without the query string, e.g. "/metrics"
  std::string query;  // after '?', undecoded; empty when none
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

struct HttpAdminServerOptions {
  size_t max_header_bytes = 8 * 1024;  // request line and headers together
  size_t max_body_bytes = 1024;        // a GET has no business sending more
  int read_timeout_ms = 10'000;        // for a whole request, from its first byte or idle start
};

class HttpAdminServer {
 public:
  using Handler = std::function<HttpResponse(const HttpRequest&)>;

  // Port 0 binds an ephemeral port (tests); port() then tells which.
  explicit HttpAdminServer(HostPort listen, HttpAdminServerOptions options = {});
  ~HttpAdminServer();
  HttpAdminServer(const HttpAdminServer&) = delete;
  HttpAdminServer& operator=(const HttpAdminServer&) = delete;

  // Exact path match. REQUIRES: before Start(); path starts with '/'.
  void AddRoute(const std::string& path, Handler handler);

  // Binds and listens, then serves on the server's thread. kUnavailable when it cannot bind.
  Status Start();
  void Stop();

  int port() const { return bound_port_; }

 private:
  class Impl;

  const HostPort listen_;
  const HttpAdminServerOptions options_;
  std::map<std::string, Handler> routes_;
  std::unique_ptr<Impl> impl_;
  std::thread thread_;
  int bound_port_ = 0;
};

}  // namespace tessera
