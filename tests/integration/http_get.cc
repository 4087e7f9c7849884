#include "tests/integration/http_get.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace tessera::testing {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

Result<HttpReply> HttpGet(const HostPort& server, const std::string& target,
                          const std::string& method) {
  try {
    boost::asio::io_context io;
    tcp::resolver resolver(io);
    beast::tcp_stream stream(io);
    stream.expires_after(std::chrono::seconds(10));
    stream.connect(resolver.resolve(server.host, std::to_string(server.port)));
    http::request<http::string_body> request(http::string_to_verb(method), target, 11);
    request.set(http::field::host, server.ToString());
    request.keep_alive(false);
    request.prepare_payload();
    http::write(stream, request);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 << 20);
    if (method == "HEAD") parser.skip(true);
    http::read(stream, buffer, parser);
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    HttpReply reply;
    reply.status = static_cast<int>(parser.get().result_int());
    reply.content_type = std::string(parser.get()[http::field::content_type]);
    reply.body = parser.get().body();
    return reply;
  } catch (const std::exception& e) {
    return Status::Unavailable("GET " + server.ToString() + target + ": " + e.what());
  }
}

}  // namespace tessera::testing
