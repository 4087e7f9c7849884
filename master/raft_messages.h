// Translation between the Raft core's plain Message and its wire form (rpc::RaftMessage).
//
// The one place where Raft messages cross the RPC edge. FromRpc validates everything a peer
// sent (non-negative numbers, known types and kinds, bounded sizes) and gives InvalidArgument
// for a malformed message, which the receiver drops; it never trusts the sender.
// Pure functions; thread-safe.
#pragma once

#include "common/status.h"
#include "gen-cpp/tessera_types.h"
#include "master/raft/raft_types.h"

namespace tessera::master {

rpc::RaftMessage ToRpc(const raft::Message& message);
Result<raft::Message> FromRpc(const rpc::RaftMessage& message);

rpc::RaftMembership ToRpc(const raft::Membership& membership);
Result<raft::Membership> FromRpc(const rpc::RaftMembership& membership);

}  // namespace tessera::master
