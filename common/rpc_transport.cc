#include "common/rpc_transport.h"

#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/transport/TBufferTransports.h>

namespace tessera {
namespace {

constexpr uint32_t kReadBufferBytes = 64 << 10;
constexpr uint32_t kWriteBufferBytes = 512;

}  // namespace

using apache::thrift::TConfiguration;
using apache::thrift::protocol::TBinaryProtocol;
using apache::thrift::transport::TBufferedTransport;
using apache::thrift::transport::TFramedTransport;
using apache::thrift::transport::TSocket;
using apache::thrift::transport::TTransport;

std::shared_ptr<TConfiguration> MakeRpcConfiguration() {
  // Copied to a local first: passing the static constant by reference (make_shared) would
  // need a definition that libthrift does not export, which unoptimized builds then miss.
  const int max_message_bytes = TConfiguration::DEFAULT_MAX_MESSAGE_SIZE;
  return std::make_shared<TConfiguration>(max_message_bytes, kMaxFrameBytes);
}

std::shared_ptr<TTransport> MakeFramedTransport(std::shared_ptr<TTransport> socket) {
  // Reads are buffered (small RPCs fit whole); writes pass through, the framed transport above
  // already hands over each message in one piece.
  auto buffered = std::make_shared<BudgetResetting<TBufferedTransport>>(
      std::move(socket), kReadBufferBytes, kWriteBufferBytes, MakeRpcConfiguration());
  auto framed = std::make_shared<BudgetResetting<TFramedTransport>>(std::move(buffered),
                                                                    MakeRpcConfiguration());
  framed->setMaxFrameSize(kMaxFrameBytes);
  return framed;
}

std::shared_ptr<TSocket> BudgetResettingServerSocket::createSocket(THRIFT_SOCKET client) {
  auto config = MakeRpcConfiguration();
  if (interruptableChildren_) {
    return std::make_shared<BudgetResettingSocket>(client, pChildInterruptSockReader_, config);
  }
  return std::make_shared<BudgetResettingSocket>(client, config);
}

std::shared_ptr<apache::thrift::protocol::TProtocol> MakeFramedProtocol(
    std::shared_ptr<TTransport> socket) {
  return std::make_shared<TBinaryProtocol>(MakeFramedTransport(std::move(socket)), kMaxStringBytes,
                                           kMaxContainerElements,
                                           /*strict_read=*/true, /*strict_write=*/true);
}

}  // namespace tessera
