#include "client/cli/cli_common.h"

namespace tessera::client::cli {

std::unique_ptr<MasterClient> ConnectToMasters(const GlobalOptions& global, int slow_call_ms) {
  MasterClientOptions options;
  options.masters = global.masters;
  options.retry_deadline_ms = global.timeout_ms;
  RpcClientOptions rpc;
  rpc.connect_timeout_ms = global.timeout_ms;
  rpc.io_timeout_ms = global.timeout_ms + slow_call_ms;
  return std::make_unique<MasterClient>(std::move(options), NewThriftMasterChannel(rpc));
}

}  // namespace tessera::client::cli
