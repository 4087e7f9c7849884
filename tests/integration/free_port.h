// Free TCP ports on 127.0.0.1 for test daemons.
//
// Binding port 0 lets the kernel choose an unused port; the socket is closed before the daemon
// binds it, so another process could take it in between. Ports are handed out from the
// ephemeral range in a way that makes such a collision unlikely for tests on one machine.
// Thread-safe (no shared state).
#pragma once

#include "common/status.h"

namespace tessera::testing {

Result<int> PickFreePort();

}  // namespace tessera::testing
