// The transport stack every connection uses (framing over a read buffer), fed bytes a peer
// could send: an empty frame must end the read as Thrift ends it (no data, so a transport
// error), without undefined behaviour on the way (the ASan+UBSan build aborted the master and the
// chunk server on the null buffer Thrift passes when it reads the empty body).
#include "common/rpc_transport.h"

#include <gtest/gtest.h>
#include <thrift/transport/TBufferTransports.h>
#include <thrift/transport/TTransportException.h>

#include <string>

namespace tessera {
namespace {

using apache::thrift::transport::TMemoryBuffer;
using apache::thrift::transport::TTransportException;

TEST(RpcTransportTest, AnEmptyFrameIsNoDataAndNoUndefinedBehaviour) {
  std::string wire("\0\0\0\0", 4);  // a frame header of length 0, as a peer may send
  auto socket = std::make_shared<TMemoryBuffer>(reinterpret_cast<uint8_t*>(wire.data()),
                                                static_cast<uint32_t>(wire.size()));
  std::shared_ptr<apache::thrift::transport::TTransport> framed = MakeFramedTransport(socket);
  uint8_t byte = 0;
  EXPECT_THROW(framed->readAll(&byte, 1), TTransportException);
}

}  // namespace
}  // namespace tessera
