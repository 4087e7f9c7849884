// The RPC edge's side of permission checking: who a request comes from, as the ops and the
// permission rules (permissions.h) want it, and the checks of read RPCs (lookup, readdir,
// access), which are judged against the state as the read finds it. Mutations are checked when
// their command is applied (master/ops/*), atomically with the change.
//
// Pure functions plus reads of the StateMachine; thread-safe as StateMachine reads are.
#pragma once

#include <cstdint>

#include "common/status.h"
#include "gen-cpp/master_state_types.h"
#include "gen-cpp/tessera_types.h"
#include "master/permissions.h"
#include "master/state_machine.h"

namespace tessera::master {

Credentials CredentialsOf(const rpc::RequestContext& ctx);
// The caller field every command a client asks for carries.
master_state::Caller CallerOf(const rpc::RequestContext& ctx);

// kPermissionDenied unless the caller has every bit of `mask` (kMay*) on `inode`; mask 0 only
// asks that the inode exists (access(2)'s F_OK). kNotFound when it does not.
Status CheckInodeAccess(const StateMachine& state, const rpc::RequestContext& ctx, int64_t inode,
                        int mask);

}  // namespace tessera::master
