// EnableDeadPeerDetection sets what the kernel needs to fail a connection to a silent peer; the
// behaviour under a real partition is shown by tests/fault/netns_leader_partition_test.cc.
#include "common/tcp_liveness.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

namespace tessera {
namespace {

int GetIntOption(int fd, int level, int name) {
  int value = -1;
  socklen_t size = sizeof(value);
  EXPECT_EQ(getsockopt(fd, level, name, &value, &size), 0);
  return value;
}

class TcpSocket {
 public:
  TcpSocket() : fd_(socket(AF_INET, SOCK_STREAM, 0)) {}
  ~TcpSocket() { close(fd_); }
  int fd() const { return fd_; }

 private:
  int fd_;
};

TEST(TcpLivenessTest, SetsUserTimeoutAndKeepalive) {
  TcpSocket socket;
  ASSERT_GE(socket.fd(), 0);
  ASSERT_TRUE(EnableDeadPeerDetection(socket.fd(), 4000).ok());
  EXPECT_EQ(GetIntOption(socket.fd(), IPPROTO_TCP, TCP_USER_TIMEOUT), 4000);
  EXPECT_EQ(GetIntOption(socket.fd(), SOL_SOCKET, SO_KEEPALIVE), 1);
  EXPECT_EQ(GetIntOption(socket.fd(), IPPROTO_TCP, TCP_KEEPIDLE), 1);
  EXPECT_EQ(GetIntOption(socket.fd(), IPPROTO_TCP, TCP_KEEPINTVL), 1);
}

TEST(TcpLivenessTest, LongerTimesProbeLessOften) {
  TcpSocket socket;
  ASSERT_TRUE(EnableDeadPeerDetection(socket.fd(), 20000).ok());
  EXPECT_EQ(GetIntOption(socket.fd(), IPPROTO_TCP, TCP_USER_TIMEOUT), 20000);
  EXPECT_EQ(GetIntOption(socket.fd(), IPPROTO_TCP, TCP_KEEPIDLE), 5);
}

TEST(TcpLivenessTest, RefusesSubSecondTimesAndBadSockets) {
  TcpSocket socket;
  EXPECT_EQ(EnableDeadPeerDetection(socket.fd(), 999).code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(EnableDeadPeerDetection(-1, 4000).ok());
}

}  // namespace
}  // namespace tessera
