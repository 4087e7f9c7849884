#include "common/rpc_transport.h"

#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/transport/TBufferTransports.h>

namespace tessera {

using apache::thrift::TConfiguration;
using apache::thrift::protocol::TBinaryProtocol;
using apache::thrift::transport::TFramedTransport;
using apache::thrift::transport::TSocket;
using apache::thrift::transport::TTransport;

std::shared_ptr<TConfiguration> MakeRpcConfiguration() {
  return std::make_shared<TConfiguration>(TConfiguration::DEFAULT_MAX_MESSAGE_SIZE,
                                          kMaxFrameBytes);
}

uint32_t BudgetResettingSocket::read_virt(uint8_t* buf, uint32_t len) {
  resetConsumedMessageSize();
  return TSocket::read(buf, len);
}

uint32_t BudgetResettingSocket::readAll_virt(uint8_t* buf, uint32_t len) {
  resetConsumedMessageSize();
  return TSocket::readAll(buf, len);
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
  auto framed = std::make_shared<TFramedTransport>(std::move(socket), MakeRpcConfiguration());
  framed->setMaxFrameSize(kMaxFrameBytes);
  return std::make_shared<TBinaryProtocol>(framed, kMaxStringBytes, kMaxContainerElements,
                                           /*strict_read=*/true, /*strict_write=*/true);
}

}  // namespace tessera
