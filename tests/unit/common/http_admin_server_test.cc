#include "common/http_admin_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <string>

#include "common/admin_routes.h"

namespace tessera {
namespace {

// Sends `bytes` to 127.0.0.1:port and returns everything the server sends before it closes.
std::string Exchange(int port, const std::string& bytes) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  EXPECT_GE(fd, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval timeout{15, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    close(fd);
    return "connect failed";
  }
  size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t n = send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<size_t>(n);
  }
  shutdown(fd, SHUT_WR);
  std::string answer;
  char buffer[4096];
  while (true) {
    ssize_t n = recv(fd, buffer, sizeof(buffer), 0);
    if (n <= 0) break;
    answer.append(buffer, static_cast<size_t>(n));
  }
  close(fd);
  return answer;
}

std::string StatusLine(const std::string& answer) { return answer.substr(0, answer.find("\r\n")); }

class HttpAdminServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.AddRoute("/hello", [](const HttpRequest& request) {
      HttpResponse response;
      response.body = "hello " + request.query;
      return response;
    });
    server_.AddRoute("/throws",
                     [](const HttpRequest&) -> HttpResponse { throw std::runtime_error("boom"); });
    ASSERT_TRUE(server_.Start().ok());
    ASSERT_GT(server_.port(), 0);
  }

  HttpAdminServer server_{HostPort{"127.0.0.1", 0}};
};

TEST_F(HttpAdminServerTest, ServesARegisteredRouteWithItsQuery) {
  std::string answer = Exchange(server_.port(), "GET /hello?x=1 HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_EQ(StatusLine(answer), "HTTP/1.1 200 OK");
  EXPECT_NE(answer.find("Content-Length: 9\r\n"), std::string::npos) << answer;
  EXPECT_TRUE(answer.ends_with("\r\n\r\nhello x=1")) << answer;
}

TEST_F(HttpAdminServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  std::string answer = Exchange(server_.port(),
                                "GET /hello?1 HTTP/1.1\r\nHost: a\r\n\r\n"
                                "GET /hello?2 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
  EXPECT_NE(answer.find("hello 1"), std::string::npos) << answer;
  EXPECT_NE(answer.find("hello 2"), std::string::npos) << answer;
}

TEST_F(HttpAdminServerTest, UnknownPathIs404) {
  EXPECT_EQ(StatusLine(Exchange(server_.port(), "GET /nope HTTP/1.1\r\nHost: a\r\n\r\n")),
            "HTTP/1.1 404 Not Found");
}

TEST_F(HttpAdminServerTest, OtherMethodsAre405WithAllow) {
  for (const char* method : {"POST", "PUT", "DELETE", "HEAD"}) {
    std::string answer =
        Exchange(server_.port(),
                 std::string(method) + " /hello HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n");
    EXPECT_EQ(StatusLine(answer), "HTTP/1.1 405 Method Not Allowed") << method;
    EXPECT_NE(answer.find("Allow: GET\r\n"), std::string::npos) << answer;
  }
}

TEST_F(HttpAdminServerTest, GarbageIs400) {
  EXPECT_EQ(StatusLine(Exchange(server_.port(), "\x01\x02 garbage\r\n\r\n")),
            "HTTP/1.1 400 Bad Request");
  EXPECT_EQ(StatusLine(Exchange(server_.port(), "GET /hello HTTP/9.9x\r\n\r\n")),
            "HTTP/1.1 400 Bad Request");
  EXPECT_EQ(
      StatusLine(Exchange(server_.port(), "GET /hello HTTP/1.1\r\nContent-Length: -5\r\n\r\n")),
      "HTTP/1.1 400 Bad Request");
}

TEST_F(HttpAdminServerTest, OversizedHeaderOrBodyIs413) {
  std::string big_header = "GET /hello HTTP/1.1\r\nX-Big: " + std::string(20000, 'a') + "\r\n\r\n";
  EXPECT_EQ(StatusLine(Exchange(server_.port(), big_header)), "HTTP/1.1 413 Payload Too Large");
  std::string big_body =
      "GET /hello HTTP/1.1\r\nContent-Length: 5000\r\n\r\n" + std::string(5000, 'b');
  EXPECT_EQ(StatusLine(Exchange(server_.port(), big_body)), "HTTP/1.1 413 Payload Too Large");
}

TEST_F(HttpAdminServerTest, HandlerExceptionIs500AndTheServerKeepsServing) {
  EXPECT_EQ(StatusLine(Exchange(server_.port(), "GET /throws HTTP/1.1\r\n\r\n")),
            "HTTP/1.1 500 Internal Server Error");
  EXPECT_EQ(StatusLine(Exchange(server_.port(), "GET /hello HTTP/1.1\r\n\r\n")), "HTTP/1.1 200 OK");
}

TEST_F(HttpAdminServerTest, ClientThatClosesEarlyDoesNotHurt) {
  // A request cut short by the client's end of stream is malformed; no request at all is not.
  EXPECT_EQ(StatusLine(Exchange(server_.port(), "GET /hel")), "HTTP/1.1 400 Bad Request");
  EXPECT_EQ(Exchange(server_.port(), ""), "");
  EXPECT_EQ(StatusLine(Exchange(server_.port(), "GET /hello HTTP/1.0\r\n\r\n")), "HTTP/1.0 200 OK");
}

TEST_F(HttpAdminServerTest, SilentClientDoesNotBlockOthers) {
  int silent = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(silent, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(server_.port()));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(connect(silent, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  ASSERT_EQ(send(silent, "GET /hel", 8, MSG_NOSIGNAL), 8);  // and then nothing
  EXPECT_EQ(StatusLine(Exchange(server_.port(), "GET /hello HTTP/1.1\r\n\r\n")), "HTTP/1.1 200 OK");
  close(silent);
}

TEST(HttpAdminServerStartTest, BusyPortIsAnErrorAndStopIsIdempotent) {
  HttpAdminServer first(HostPort{"127.0.0.1", 0});
  ASSERT_TRUE(first.Start().ok());
  HttpAdminServer second(HostPort{"127.0.0.1", first.port()});
  Status started = second.Start();
  EXPECT_EQ(started.code(), StatusCode::kUnavailable) << started.ToString();
  first.Stop();
  first.Stop();
}

TEST(AdminRoutesTest, MetricsStatusAndHealth) {
  MetricsRegistry registry;
  registry.GetCounter("x_total", "x").Increment(2);
  bool serving = true;
  HttpAdminServer server(HostPort{"127.0.0.1", 0});
  AddStandardAdminRoutes(&server, &registry,
                         {.status = [](JsonWriter& json) { json.Field("role", "te\"st"); },
                          .health =
                              [&serving] {
                                return HealthReport{serving, serving ? "leader" : "storage failed"};
                              }});
  ASSERT_TRUE(server.Start().ok());
  std::string metrics = Exchange(server.port(), "GET /metrics HTTP/1.1\r\n\r\n");
  EXPECT_NE(metrics.find("text/plain; version=0.0.4"), std::string::npos) << metrics;
  EXPECT_TRUE(metrics.ends_with("x_total 2\n")) << metrics;
  std::string status = Exchange(server.port(), "GET /status HTTP/1.1\r\n\r\n");
  EXPECT_TRUE(status.ends_with("{\"role\":\"te\\\"st\"}\n")) << status;
  std::string healthy = Exchange(server.port(), "GET /healthz HTTP/1.1\r\n\r\n");
  EXPECT_EQ(StatusLine(healthy), "HTTP/1.1 200 OK");
  EXPECT_TRUE(healthy.ends_with("ok leader\n")) << healthy;
  serving = false;
  std::string sick = Exchange(server.port(), "GET /healthz HTTP/1.1\r\n\r\n");
  EXPECT_EQ(StatusLine(sick), "HTTP/1.1 503 Service Unavailable");
  EXPECT_TRUE(sick.ends_with("unavailable storage failed\n")) << sick;
}

}  // namespace
}  // namespace tessera
