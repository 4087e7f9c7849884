#include "common/address.h"

#include <charconv>

namespace tessera {

Result<HostPort> ParseHostPort(std::string_view text) {
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size()) {
    return Status::InvalidArgument("address '" + std::string(text) + "' is not host:port");
  }
  std::string_view port_text = text.substr(colon + 1);
  int port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port < 1 ||
      port > 65535) {
    return Status::InvalidArgument("address '" + std::string(text) + "' has an invalid port");
  }
  return HostPort{std::string(text.substr(0, colon)), port};
}

Result<std::vector<HostPort>> ParseHostPortList(std::string_view text) {
  std::vector<HostPort> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) comma = text.size();
    ASSIGN_OR_RETURN(HostPort hp, ParseHostPort(text.substr(start, comma - start)));
    out.push_back(std::move(hp));
    start = comma + 1;
  }
  return out;
}

}  // namespace tessera
