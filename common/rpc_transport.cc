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

uint32_t BudgetResettingSocket::read_virt(uint8_t* buf, uint32_t len) {
  resetConsumedMessageSize();
  return TSocket::read(buf, len);
}

uint32_t BudgetResettingSocket::readAll_virt(uint8_t* buf, uint32_t len) {
  resetConsumedMessageSize();
  return TSocket::readAll(buf, len);
}

BudgetResettingFramedTransport::BudgetResettingFramedTransport(std::shared_ptr<TTransport> transport)
    : TFramedTransport(std::move(transport), MakeRpcConfiguration()) {
  setMaxFrameSize(kMaxFrameBytes);
}

uint32_t BudgetResettingFramedTransport::readEnd() {
  resetConsumedMessageSize();
  return TFramedTransport::readEnd();
}

uint32_t BudgetResettingFramedTransport::read_virt(uint8_t* buf, uint32_t len) {
  resetConsumedMessageSize();
  return TFramedTransport::read(buf, len);
}

uint32_t BudgetResettingFramedTransport::readAll_virt(uint8_t* buf, uint32_t len) {
  resetConsumedMessageSize();
  return TFramedTransport::readAll(buf, len);
}

BudgetResettingBufferedTransport::BudgetResettingBufferedTransport(
    std::shared_ptr<TTransport> transport)
    // Reads are buffered (small RPCs fit whole); writes pass through, the framed transport
    // above already hands over each message in one piece.
    : TBufferedTransport(std::move(transport), kReadBufferBytes, kWriteBufferBytes,
                         MakeRpcConfiguration()) {}

uint32_t BudgetResettingBufferedTransport::read_virt(uint8_t* buf, uint32_t len) {
  resetConsumedMessageSize();
  return TBufferedTransport::read(buf, len);
}

uint32_t BudgetResettingBufferedTransport::readAll_virt(uint8_t* buf, uint32_t len) {
  resetConsumedMessageSize();
  return TBufferedTransport::readAll(buf, len);
}

std::shared_ptr<TTransport> MakeFramedTransport(std::shared_ptr<TTransport> socket) {
  return std::make_shared<BudgetResettingFramedTransport>(
      std::make_shared<BudgetResettingBufferedTransport>(std::move(socket)));
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
  return std::make_shared<TBinaryProtocol>(MakeFramedTransport(std::move(socket)), kMaxStringBytes, kMaxContainerElements,
                                           /*strict_read=*/true, /*strict_write=*/true);
}

}  // namespace tessera
