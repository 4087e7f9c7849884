#include "client/cli/cli_common.h"

namespace tessera::client::cli {

int NoMastersError() {
  return UsageError(
      "no masters given: use --masters H:P[,H:P...], set TESSERA_MASTERS, or put "
      "'masters = H:P,...' in /etc/tessera/tessera.conf (or the file named by --config)");
}

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
