// Pooled Thrift client connections.
//
// Thrift clients are not thread-safe, so each caller leases a whole connection from the pool for
// one call (or a short sequence of calls) and gives it back when the lease ends. A connection
// whose transport failed is marked broken and closed instead of being returned. The pool itself
// is thread-safe; its mutex is never held across network I/O.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include <thrift/protocol/TProtocol.h>
#include <thrift/transport/TTransport.h>

#include "common/address.h"
#include "common/rpc_errors.h"
#include "common/status.h"

namespace tessera {

struct RpcClientOptions {
  int connect_timeout_ms = 2000;
  int io_timeout_ms = 30000;  // send and receive
  // A peer that acknowledges nothing (not even keepalive probes) for this long is dead: the
  // call fails then instead of after io_timeout_ms (tcp_liveness.h). 0: off.
  int dead_peer_ms = 4000;
  size_t max_idle_per_address = 16;
};

// Opens a socket to `address` and returns the framed protocol over it (not yet wrapped in a
// generated client). Fails with kUnavailable when the peer cannot be reached.
Result<std::shared_ptr<apache::thrift::protocol::TProtocol>> OpenRpcProtocol(
    const HostPort& address, const RpcClientOptions& options);

template <typename ClientT>
class RpcClientPool {
 public:
  explicit RpcClientPool(RpcClientOptions options = {}) : options_(options) {}
  RpcClientPool(const RpcClientPool&) = delete;
  RpcClientPool& operator=(const RpcClientPool&) = delete;

  // Runs `call(ClientT&)` on a pooled connection to `address`, converting every exception into
  // the returned outcome. A connection whose transport failed is dropped.
  template <typename F>
  RpcOutcome Call(const HostPort& address, F&& call) {
    Result<std::unique_ptr<ClientT>> client = Acquire(address);
    if (!client.ok()) return {client.status(), true, "", RpcFailure::kConnect};
    RpcOutcome outcome = CallRpc([&] { call(**client); });
    if (!outcome.connection_broken) Release(address, std::move(*client));
    return outcome;
  }

  // Drops idle connections to `address` (e.g. after it restarted).
  void Forget(const HostPort& address) {
    std::lock_guard lock(mu_);
    idle_.erase(address);
  }

 private:
  Result<std::unique_ptr<ClientT>> Acquire(const HostPort& address) {
    {
      std::lock_guard lock(mu_);
      auto it = idle_.find(address);
      if (it != idle_.end() && !it->second.empty()) {
        std::unique_ptr<ClientT> client = std::move(it->second.back());
        it->second.pop_back();
        return client;
      }
    }
    ASSIGN_OR_RETURN(auto protocol, OpenRpcProtocol(address, options_));
    return std::make_unique<ClientT>(protocol);
  }

  void Release(const HostPort& address, std::unique_ptr<ClientT> client) {
    std::lock_guard lock(mu_);
    auto& idle = idle_[address];
    if (idle.size() < options_.max_idle_per_address) idle.push_back(std::move(client));
  }

  const RpcClientOptions options_;
  std::mutex mu_;  // guards idle_
  std::map<HostPort, std::vector<std::unique_ptr<ClientT>>> idle_;
};

}  // namespace tessera
