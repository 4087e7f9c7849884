// The one place where Status and the wire error (rpc::TesseraError) are translated.
//
// Servers end a handler with ThrowIfError(status); clients wrap each call in CallRpc so that a
// TesseraError, a transport failure or any other Thrift exception comes back as a Status.
#pragma once

#include <string>
#include <utility>

#include <thrift/TApplicationException.h>
#include <thrift/transport/TTransportException.h>

#include "common/status.h"
#include "gen-cpp/tessera_types.h"

namespace tessera {

rpc::ErrorCode::type ToRpcErrorCode(StatusCode code);
StatusCode FromRpcErrorCode(rpc::ErrorCode::type code);

rpc::TesseraError ToRpcError(const Status& status, std::string leader_hint = "");
Status FromRpcError(const rpc::TesseraError& error);

// Throws the TesseraError for `status` when it is not ok: the RPC edge of a server handler.
// A kNotLeader status's message is the leader's address (or empty); it becomes leader_hint.
void ThrowIfError(const Status& status);

// Where a failed call broke, for the client's RPC metrics (rpc_client_metrics.h): what the
// server said is the Status code; these say whether it said anything at all.
enum class RpcFailure {
  kNone,         // the call succeeded
  kRemoteError,  // the server answered a TesseraError (the status code says which)
  kConnect,      // no connection to the server could be opened
  kTimeout,      // sending the request or receiving the answer timed out
  kTransport,    // the connection failed or closed during the call
  kProtocol,     // the answer was not one Thrift could take (TApplicationException, ...)
};

// Outcome of one remote call: the Status, and whether the connection it used must be dropped
// (the transport failed, so the stream may be out of step).
struct RpcOutcome {
  Status status;
  bool connection_broken = false;
  std::string leader_hint;  // set with kNotLeader when the server named the leader
  RpcFailure failure = RpcFailure::kNone;
};

// Runs `call` (which performs one Thrift client call) and converts every exception.
template <typename F>
RpcOutcome CallRpc(F&& call) {
  try {
    std::forward<F>(call)();
    return {};
  } catch (const rpc::TesseraError& e) {
    return {FromRpcError(e), false, e.leader_hint, RpcFailure::kRemoteError};
  } catch (const apache::thrift::transport::TTransportException& e) {
    const bool timed_out =
        e.getType() == apache::thrift::transport::TTransportException::TIMED_OUT;
    return {Status::Unavailable(std::string("transport: ") + e.what()), true, "",
            timed_out ? RpcFailure::kTimeout : RpcFailure::kTransport};
  } catch (const apache::thrift::TApplicationException& e) {
    return {Status::Internal(std::string("remote: ") + e.what()), true, "", RpcFailure::kProtocol};
  } catch (const apache::thrift::TException& e) {
    return {Status::Unavailable(std::string("rpc: ") + e.what()), true, "", RpcFailure::kProtocol};
  }
}

}  // namespace tessera
