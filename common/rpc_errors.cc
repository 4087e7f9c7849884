#include "common/rpc_errors.h"

namespace tessera {

// The enums are kept numerically identical (see status.h and tessera.thrift); the casts below
// rely on it and the range check guards against a peer speaking a newer protocol.
rpc::ErrorCode::type ToRpcErrorCode(StatusCode code) { return static_cast<rpc::ErrorCode::type>(code); }

StatusCode FromRpcErrorCode(rpc::ErrorCode::type code) {
  int value = static_cast<int>(code);
  if (!IsKnownStatusCode(value)) return StatusCode::kInternal;
  return static_cast<StatusCode>(value);
}

rpc::TesseraError ToRpcError(const Status& status, std::string leader_hint) {
  rpc::TesseraError error;
  error.code = ToRpcErrorCode(status.code());
  error.message = status.message();
  error.leader_hint = std::move(leader_hint);
  return error;
}

Status FromRpcError(const rpc::TesseraError& error) {
  StatusCode code = FromRpcErrorCode(error.code);
  if (code == StatusCode::kOk) return Status::Internal("remote error without a code: " + error.message);
  return Status(code, error.message);
}

void ThrowIfError(const Status& status) {
  if (status.ok()) return;
  // By convention a kNotLeader status carries the leader's address (or nothing) as its message.
  if (status.code() == StatusCode::kNotLeader) {
    throw ToRpcError(Status::NotLeader(status.message().empty()
                                           ? "this master is not the leader; leader unknown"
                                           : "this master is not the leader; try " +
                                                 status.message()),
                     status.message());
  }
  throw ToRpcError(status);
}

}  // namespace tessera
