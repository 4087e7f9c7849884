// Free TCP ports on 127.0.0.1 for test daemons.
//
// A random port below the kernel's ephemeral range that can be bound now: outgoing connections
// never take it, but another test could between this check and the daemon's bind (unlikely
// among ~22,000 ports). Ports in `taken` (already handed to this caller's daemons) are skipped.
// Thread-safe (no shared state).
#pragma once

#include <set>

#include "common/status.h"

namespace tessera::testing {

Result<int> PickFreePort(const std::set<int>& taken);

}  // namespace tessera::testing
