// "host:port" network addresses as given on command lines and in configs.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace tessera {

struct HostPort {
  std::string host;
  int port = 0;

  std::string ToString() const { return host + ":" + std::to_string(port); }
  bool operator==(const HostPort&) const = default;
  auto operator<=>(const HostPort&) const = default;
};

// "127.0.0.1:9400" -> {127.0.0.1, 9400}. Port must be 1..65535, host non-empty.
Result<HostPort> ParseHostPort(std::string_view text);
// "a:1,b:2" -> two addresses; empty items are errors.
Result<std::vector<HostPort>> ParseHostPortList(std::string_view text);

}  // namespace tessera
