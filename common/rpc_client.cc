#include "common/rpc_client.h"

#include <thrift/transport/TTransportException.h>

#include "common/rpc_transport.h"
#include "common/tcp_liveness.h"

namespace tessera {

Result<std::shared_ptr<apache::thrift::protocol::TProtocol>> OpenRpcProtocol(
    const HostPort& address, const RpcClientOptions& options) {
  auto socket =
      std::make_shared<BudgetResettingSocket>(address.host, address.port, MakeRpcConfiguration());
  socket->setConnTimeout(options.connect_timeout_ms);
  socket->setRecvTimeout(options.io_timeout_ms);
  socket->setSendTimeout(options.io_timeout_ms);
  socket->setNoDelay(true);
  auto protocol = MakeFramedProtocol(socket);
  try {
    protocol->getTransport()->open();
  } catch (const apache::thrift::transport::TTransportException& e) {
    return Status::Unavailable("cannot connect to " + address.ToString() + ": " + e.what());
  }
  if (options.dead_peer_ms > 0) {
    RETURN_IF_ERROR(EnableDeadPeerDetection(socket->getSocketFD(), options.dead_peer_ms));
  }
  return protocol;
}

}  // namespace tessera
