// Transport settings shared by every Tessera RPC endpoint.
//
// Thrift 0.17 counts every byte read on a socket toward TConfiguration::maxMessageSize for the
// life of the connection and then closes it (DESIGN.md, "Known pitfalls"). Tessera moves many
// GiB over long-lived connections, so sockets are BudgetResettingSocket, whose budget is reset
// before every read; the per-message cap is enforced instead by the framed transport's maximum
// frame size (kMaxFrameBytes) and the binary protocol's string and container limits.
#pragma once

#include <cstdint>
#include <memory>

#include <thrift/TConfiguration.h>
#include <thrift/protocol/TProtocol.h>
#include <thrift/transport/TBufferTransports.h>
#include <thrift/transport/TServerSocket.h>
#include <thrift/transport/TSocket.h>

namespace tessera {

// Largest frame accepted: a 4 MiB data RPC plus generous room for its other fields.
inline constexpr int kMaxFrameBytes = 16 << 20;
// Largest string or binary field accepted by the protocol.
inline constexpr int kMaxStringBytes = 8 << 20;
// Largest list accepted by the protocol (chunk reports of big servers fit).
inline constexpr int kMaxContainerElements = 4 << 20;

std::shared_ptr<apache::thrift::TConfiguration> MakeRpcConfiguration();

class BudgetResettingSocket : public apache::thrift::transport::TSocket {
 public:
  using TSocket::TSocket;
  uint32_t read_virt(uint8_t* buf, uint32_t len) override;
  uint32_t readAll_virt(uint8_t* buf, uint32_t len) override;
};

// Framed transport whose own message budget is reset at the end of every message, for the same
// reason as BudgetResettingSocket: the frame cap (kMaxFrameBytes) is the per-message limit.
class BudgetResettingFramedTransport : public apache::thrift::transport::TFramedTransport {
 public:
  explicit BudgetResettingFramedTransport(
      std::shared_ptr<apache::thrift::transport::TTransport> transport);
  uint32_t readEnd() override;
  uint32_t read_virt(uint8_t* buf, uint32_t len) override;
  uint32_t readAll_virt(uint8_t* buf, uint32_t len) override;
};

// Read buffering between the socket and the framed transport: a frame's 4-byte header and its
// body usually arrive in one recv instead of two, which is a syscall (and, on a server, a poll)
// less per message. Resets its message budget like the classes above.
class BudgetResettingBufferedTransport : public apache::thrift::transport::TBufferedTransport {
 public:
  explicit BudgetResettingBufferedTransport(
      std::shared_ptr<apache::thrift::transport::TTransport> transport);
  uint32_t read_virt(uint8_t* buf, uint32_t len) override;
  uint32_t readAll_virt(uint8_t* buf, uint32_t len) override;
};

// Server socket whose accepted connections are BudgetResettingSockets.
class BudgetResettingServerSocket : public apache::thrift::transport::TServerSocket {
 public:
  using TServerSocket::TServerSocket;

 protected:
  std::shared_ptr<apache::thrift::transport::TSocket> createSocket(THRIFT_SOCKET client) override;
};

// BudgetResettingFramedTransport over `socket` with Tessera's frame cap.
std::shared_ptr<apache::thrift::transport::TTransport> MakeFramedTransport(
    std::shared_ptr<apache::thrift::transport::TTransport> socket);

// Framed binary protocol over `socket`, with the limits above.
std::shared_ptr<apache::thrift::protocol::TProtocol> MakeFramedProtocol(
    std::shared_ptr<apache::thrift::transport::TTransport> socket);

}  // namespace tessera
