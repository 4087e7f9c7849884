#include "common/tcp_liveness.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

namespace tessera {
namespace {

Status SetIntOption(int fd, int level, int name, int value, const char* what) {
  if (setsockopt(fd, level, name, &value, sizeof(value)) != 0) {
    return Status::Internal(std::string("setsockopt ") + what + ": " + strerror(errno));
  }
  return Status::Ok();
}

}  // namespace

Status EnableDeadPeerDetection(int fd, int dead_after_ms) {
  if (dead_after_ms < 1000) {
    return Status::InvalidArgument("dead-peer time must be >= 1000 ms, got " +
                                   std::to_string(dead_after_ms));
  }
  // Probes start after a quarter of the time without traffic and repeat as often, so that the
  // unanswered probes of an idle wait exceed the user timeout, which then ends the connection.
  const int probe_s = std::max(1, dead_after_ms / 4000);
  RETURN_IF_ERROR(SetIntOption(fd, SOL_SOCKET, SO_KEEPALIVE, 1, "SO_KEEPALIVE"));
  RETURN_IF_ERROR(SetIntOption(fd, IPPROTO_TCP, TCP_KEEPIDLE, probe_s, "TCP_KEEPIDLE"));
  RETURN_IF_ERROR(SetIntOption(fd, IPPROTO_TCP, TCP_KEEPINTVL, probe_s, "TCP_KEEPINTVL"));
  RETURN_IF_ERROR(SetIntOption(fd, IPPROTO_TCP, TCP_KEEPCNT, 4, "TCP_KEEPCNT"));
  return SetIntOption(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, dead_after_ms, "TCP_USER_TIMEOUT");
}

}  // namespace tessera
