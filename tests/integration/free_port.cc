#include "tests/integration/free_port.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>
#include <string>

namespace tessera::testing {

namespace {

constexpr int kLowestTestPort = 10000;

// The first port of the kernel's ephemeral range (outgoing connections take their local ports
// from it); 32768 when it cannot be read.
int EphemeralLow() {
  std::ifstream range("/proc/sys/net/ipv4/ip_local_port_range");
  int low = 0;
  if (range >> low && low > kLowestTestPort) return low;
  return 32768;
}

// Whether 127.0.0.1:port can be bound now (nobody listens on it or holds it).
Result<bool> CanBind(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Status::Internal(std::string("socket: ") + strerror(errno));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  const bool bound = bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  close(fd);
  return bound;
}

}  // namespace

// Below the ephemeral range: a port from that range (what bind to port 0 hands out) can be taken
// by any outgoing connection, the daemons' own included, between this check and the daemon's
// bind.
Result<int> PickFreePort(const std::set<int>& taken) {
  const int low = EphemeralLow();
  std::random_device seed;
  std::mt19937 random(seed());
  std::uniform_int_distribution<int> ports(kLowestTestPort, low - 1);
  for (int attempt = 0; attempt < 1000; ++attempt) {
    const int port = ports(random);
    if (taken.contains(port)) continue;
    ASSIGN_OR_RETURN(bool free, CanBind(port));
    if (free) return port;
  }
  return Status::Unavailable("no free port in " + std::to_string(kLowestTestPort) + ".." +
                             std::to_string(low - 1));
}

}  // namespace tessera::testing
