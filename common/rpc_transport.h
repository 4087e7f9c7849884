// Transport settings shared by every Tessera RPC endpoint.
//
// Thrift 0.17 counts every byte read on a socket toward TConfiguration::maxMessageSize for the
// life of the connection and then closes it (DESIGN.md, "Known pitfalls"). Tessera moves many
// GiB over long-lived connections, so sockets are BudgetResettingSocket, whose budget is reset
// before every read; the per-message cap is enforced instead by the framed transport's maximum
// frame size (kMaxFrameBytes) and the binary protocol's string and container limits.
#pragma once

#include <thrift/TConfiguration.h>
#include <thrift/protocol/TProtocol.h>
#include <thrift/transport/TBufferTransports.h>
#include <thrift/transport/TServerSocket.h>
#include <thrift/transport/TSocket.h>

#include <cstdint>
#include <memory>

namespace tessera {

// Largest frame accepted: a 4 MiB data RPC plus generous room for its other fields.
inline constexpr int kMaxFrameBytes = 16 << 20;
// Largest string or binary field accepted by the protocol.
inline constexpr int kMaxStringBytes = 8 << 20;
// Largest list accepted by the protocol (chunk reports of big servers fit).
inline constexpr int kMaxContainerElements = 4 << 20;

std::shared_ptr<apache::thrift::TConfiguration> MakeRpcConfiguration();

// A Thrift transport class whose consumed-bytes budget is reset before every read, for the
// reason in the file comment. Every layer keeps its own budget (socket, read buffer, framing),
// so each layer of a Tessera connection is one of these.
template <typename Transport>
class BudgetResetting : public Transport {
 public:
  using Transport::Transport;
  // A read of 0 bytes returns at once: TFramedTransport reads an empty frame's body as
  // readAll(nullptr, 0) (its frame buffer is not allocated yet), and the buffer transports'
  // fast path would pass that null to memcpy, which is undefined even for 0 bytes.
  uint32_t read_virt(uint8_t* buf, uint32_t len) override {
    if (len == 0) return 0;
    this->resetConsumedMessageSize();
    return Transport::read(buf, len);
  }
  uint32_t readAll_virt(uint8_t* buf, uint32_t len) override {
    if (len == 0) return 0;
    this->resetConsumedMessageSize();
    return Transport::readAll(buf, len);
  }
  // The protocol may also take bytes through borrow/consume, which no read above sees.
  uint32_t readEnd() override {
    this->resetConsumedMessageSize();
    return Transport::readEnd();
  }
};

using BudgetResettingSocket = BudgetResetting<apache::thrift::transport::TSocket>;

// Server socket whose accepted connections are BudgetResettingSockets.
class BudgetResettingServerSocket : public apache::thrift::transport::TServerSocket {
 public:
  using TServerSocket::TServerSocket;

 protected:
  std::shared_ptr<apache::thrift::transport::TSocket> createSocket(THRIFT_SOCKET client) override;
};

// Framing with Tessera's frame cap over a read buffer over `socket`: a frame's 4-byte header and
// its body usually arrive in one recv instead of two, a syscall (and on a server a poll) less per
// message.
std::shared_ptr<apache::thrift::transport::TTransport> MakeFramedTransport(
    std::shared_ptr<apache::thrift::transport::TTransport> socket);

// Framed binary protocol over `socket`, with the limits above.
std::shared_ptr<apache::thrift::protocol::TProtocol> MakeFramedProtocol(
    std::shared_ptr<apache::thrift::transport::TTransport> socket);

}  // namespace tessera
