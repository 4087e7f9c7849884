// Hostile bytes on a raw TCP connection must not crash the master or a chunk server.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <random>
#include <string>

#include "common/names.h"
#include "tests/integration/cluster_test_fixture.h"

namespace tessera::testing {
namespace {

// Connects to `address`, sends `bytes`, waits briefly for the peer to react (it may answer or
// close), and closes. Returns false only when the connection could not be made at all.
bool SendRaw(const HostPort& address, const std::string& bytes) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in peer{};
  peer.sin_family = AF_INET;
  peer.sin_port = htons(static_cast<uint16_t>(address.port));
  inet_pton(AF_INET, address.host.c_str(), &peer.sin_addr);
  if (connect(fd, reinterpret_cast<sockaddr*>(&peer), sizeof(peer)) != 0) {
    close(fd);
    return false;
  }
  timeval timeout{.tv_sec = 0, .tv_usec = 300000};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
  size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t n = send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;  // the peer may close as soon as it sees a bad header
    sent += static_cast<size_t>(n);
  }
  char reply[256];
  (void)recv(fd, reply, sizeof(reply), 0);
  close(fd);
  return true;
}

std::string FrameHeader(uint32_t length) {
  uint32_t network = htonl(length);
  return std::string(reinterpret_cast<const char*>(&network), sizeof(network));
}

std::string RandomBytes(size_t count, uint32_t seed) {
  std::mt19937 random(seed);
  std::string bytes(count, '\0');
  for (char& byte : bytes) byte = static_cast<char>(random() & 0xff);
  return bytes;
}

// The inputs every daemon must survive.
std::vector<std::string> HostileInputs() {
  std::vector<std::string> inputs;
  inputs.push_back("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  inputs.push_back(RandomBytes(4096, 1));
  inputs.push_back(RandomBytes(3, 2));
  inputs.push_back(FrameHeader(0x7fffffff) + RandomBytes(64, 3));  // oversized frame
  inputs.push_back(FrameHeader(0xffffffff) + RandomBytes(64, 4));  // negative as int32
  inputs.push_back(FrameHeader(1 << 30));                          // 1 GiB promised, none sent
  inputs.push_back(FrameHeader(0));                                // empty frame
  inputs.push_back(FrameHeader(64) + RandomBytes(64, 5));          // garbage inside a frame
  // A strict binary-protocol header with a huge method-name length.
  std::string message = std::string("\x80\x01\x00\x01", 4) + FrameHeader(0x7ffffff0) + "abc";
  inputs.push_back(FrameHeader(static_cast<uint32_t>(message.size())) + message);
  // A valid call header for a method followed by a list claiming 2^31 elements.
  std::string list_bomb = std::string("\x80\x01\x00\x01", 4) + FrameHeader(13) + "clusterStatus" +
                          FrameHeader(1) + std::string("\x0f\x00\x01\x0c", 4) +
                          FrameHeader(0x7fffffff);
  inputs.push_back(FrameHeader(static_cast<uint32_t>(list_bomb.size())) + list_bomb);
  return inputs;
}

using RawSocketTest = ClusterTest;

TEST_F(RawSocketTest, MasterSurvivesGarbage) {
  for (const std::string& input : HostileInputs()) {
    ASSERT_TRUE(SendRaw(master_address(), input)) << "cannot connect to the master";
    ASSERT_TRUE(cluster_->master().Running()) << "the master died";
  }
  Result<rpc::Attr> root = GetAttr(kRootInode);
  EXPECT_TRUE(root.ok()) << root.status().ToString();
  EXPECT_TRUE(Mkdir(kRootInode, "still-serving").ok());
}

TEST_F(RawSocketTest, ChunkServerSurvivesGarbage) {
  const HostPort server = cluster_->chunk_server_address(0);
  for (const std::string& input : HostileInputs()) {
    ASSERT_TRUE(SendRaw(server, input)) << "cannot connect to the chunk server";
    ASSERT_TRUE(cluster_->chunk_server(0).Running()) << "the chunk server died";
  }
  Result<rpc::ChunkServerStats> stats = ChunkServerStats(server);
  EXPECT_TRUE(stats.ok()) << stats.status().ToString();
  // It is still registered with the master, too.
  EXPECT_TRUE(cluster_->WaitForAliveChunkServers(3, std::chrono::seconds(10)).ok());
}

}  // namespace
}  // namespace tessera::testing
