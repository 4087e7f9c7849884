// One HTTP/1.1 GET against a daemon's admin port, for tests (Boost.Beast's client side).
#pragma once

#include <string>

#include "common/address.h"
#include "common/status.h"

namespace tessera::testing {

struct HttpReply {
  int status = 0;
  std::string content_type;
  std::string body;
};

// kUnavailable when the connection or the exchange fails (within a few seconds).
Result<HttpReply> HttpGet(const HostPort& server, const std::string& target,
                          const std::string& method = "GET");

}  // namespace tessera::testing
