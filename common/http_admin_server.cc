#include "common/http_admin_server.h"

#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "common/logging.h"

namespace tessera {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr char kComponent[] = "admin";

using Routes = std::map<std::string, HttpAdminServer::Handler>;

HttpResponse TextResponse(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

// What the routes answer to one parsed request; handlers' exceptions become 500s here, the one
// place where anything a handler throws is caught.
HttpResponse Dispatch(const Routes& routes, const http::request<http::string_body>& request) {
  if (request.method() != http::verb::get) {
    return TextResponse(405, "only GET is served here\n");
  }
  const std::string_view target(request.target().data(), request.target().size());
  const size_t question = target.find('?');
  HttpRequest parsed;
  parsed.path = std::string(target.substr(0, question));
  if (question != std::string_view::npos) parsed.query = std::string(target.substr(question + 1));
  auto route = routes.find(parsed.path);
  if (route == routes.end()) return TextResponse(404, "no such page: " + parsed.path + "\n");
  try {
    return route->second(parsed);
  } catch (const std::exception& e) {
    LOG(kError, kComponent) << "handler of " << parsed.path << " failed: " << e.what();
    return TextResponse(500, "internal error\n");
  }
}

// One client connection: reads requests one at a time (keep-alive), answers each, closes on
// any error or when the client asks to.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, const Routes* routes, const HttpAdminServerOptions* options)
      : stream_(std::move(socket)), routes_(routes), options_(options) {}

  void Run() { ReadRequest(); }

 private:
  void ReadRequest() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(options_->max_header_bytes));
    parser_->body_limit(options_->max_body_bytes);
    stream_.expires_after(std::chrono::milliseconds(options_->read_timeout_ms));
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code error, size_t) { self->OnRead(error); });
  }

  void OnRead(beast::error_code error) {
    if (error == http::error::end_of_stream || error == beast::error::timeout ||
        error == asio::error::operation_aborted) {
      Close();
      return;
    }
    if (error) {
      // A malformed or oversized request: say so once and hang up.
      const bool too_large = error == http::error::header_limit ||
                             error == http::error::body_limit ||
                             error == http::error::buffer_overflow;
      HttpResponse response = TextResponse(too_large ? 413 : 400, error.message() + "\n");
      Write(response, /*keep_alive=*/false, /*version=*/11);
      return;
    }
    const http::request<http::string_body>& request = parser_->get();
    HttpResponse response = Dispatch(*routes_, request);
    Write(response, request.keep_alive(), request.version());
  }

  void Write(const HttpResponse& answer, bool keep_alive, unsigned version) {
    auto response = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(answer.status), version);
    response->set(http::field::server, "tessera");
    response->set(http::field::content_type, answer.content_type);
    response->set(http::field::cache_control, "no-store");
    if (answer.status == 405) response->set(http::field::allow, "GET");
    response->keep_alive(keep_alive);
    response->body() = answer.body;
    response->prepare_payload();
    stream_.expires_after(std::chrono::milliseconds(options_->read_timeout_ms));
    http::async_write(
        stream_, *response,
        [self = shared_from_this(), response, keep_alive](beast::error_code error, size_t) {
          if (error) {
            self->Close();
            return;
          }
          if (!keep_alive) {
            self->DrainThenClose();
            return;
          }
          self->ReadRequest();
        });
  }

  // Closing a socket with unread input makes the kernel send a reset, which can destroy the
  // answer before the client reads it (an oversized request, say). So: stop sending, read and
  // discard what the client still sends until it closes or a short deadline, then close.
  void DrainThenClose() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(std::chrono::seconds(2));
    stream_.async_read_some(asio::buffer(discard_),
                            [self = shared_from_this()](beast::error_code error, size_t) {
                              if (error) {
                                self->Close();
                                return;
                              }
                              self->DrainThenClose();
                            });
  }

  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.socket().close(ignored);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::array<char, 4096> discard_;
  std::optional<http::request_parser<http::string_body>> parser_;
  const Routes* routes_;
  const HttpAdminServerOptions* options_;
};

}  // namespace

class HttpAdminServer::Impl {
 public:
  Impl(const Routes* routes, const HttpAdminServerOptions* options)
      : routes_(routes), options_(options), acceptor_(io_) {}

  asio::io_context& io() { return io_; }

  Result<int> Listen(const HostPort& listen) {
    beast::error_code error;
    tcp::resolver resolver(io_);
    auto endpoints = resolver.resolve(listen.host, std::to_string(listen.port), error);
    if (error || endpoints.empty()) {
      return Status::Unavailable("cannot resolve " + listen.host + ": " + error.message());
    }
    const tcp::endpoint endpoint = endpoints.begin()->endpoint();
    acceptor_.open(endpoint.protocol(), error);
    if (!error) acceptor_.set_option(asio::socket_base::reuse_address(true), error);
    if (!error) acceptor_.bind(endpoint, error);
    if (!error) acceptor_.listen(asio::socket_base::max_listen_connections, error);
    if (error)
      return Status::Unavailable("cannot listen on " + listen.ToString() + ": " + error.message());
    return static_cast<int>(acceptor_.local_endpoint().port());
  }

  void Accept() {
    acceptor_.async_accept(
        asio::make_strand(io_), [this](beast::error_code error, tcp::socket socket) {
          if (error == asio::error::operation_aborted || !acceptor_.is_open()) return;
          if (!error) {
            std::make_shared<Session>(std::move(socket), routes_, options_)->Run();
          } else {
            LOG(kWarning, kComponent) << "accept failed: " << error.message();
          }
          Accept();
        });
  }

  void Shutdown() {
    asio::post(io_, [this] {
      beast::error_code ignored;
      acceptor_.close(ignored);
      io_.stop();  // drops the open sessions with their pending operations
    });
  }

 private:
  const Routes* routes_;
  const HttpAdminServerOptions* options_;
  asio::io_context io_{1};
  tcp::acceptor acceptor_;
};

HttpAdminServer::HttpAdminServer(HostPort listen, HttpAdminServerOptions options)
    : listen_(std::move(listen)), options_(options) {}

HttpAdminServer::~HttpAdminServer() { Stop(); }

void HttpAdminServer::AddRoute(const std::string& path, Handler handler) {
  routes_[path] = std::move(handler);
}

Status HttpAdminServer::Start() {
  impl_ = std::make_unique<Impl>(&routes_, &options_);
  Result<int> port = impl_->Listen(listen_);
  if (!port.ok()) {
    impl_.reset();
    return port.status();
  }
  bound_port_ = *port;
  impl_->Accept();
  thread_ = std::thread([this] {
    try {
      impl_->io().run();
    } catch (const std::exception& e) {
      LOG(kError, kComponent) << "admin server stopped: " << e.what();
    }
  });
  LOG(kInfo, kComponent) << "admin HTTP on " << listen_.host << ":" << bound_port_;
  return Status::Ok();
}

void HttpAdminServer::Stop() {
  if (!thread_.joinable()) return;
  impl_->Shutdown();
  thread_.join();
  impl_.reset();  // closes the sockets of the sessions io_.stop() left behind
}

}  // namespace tessera
