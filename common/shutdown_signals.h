// The signals that ask a daemon to shut down cleanly, handled the same way by every daemon:
// blocked in all threads (BlockShutdownSignals before any thread starts, so every thread
// inherits the mask) and taken by one thread with sigwait/sigtimedwait on ShutdownSignals().
#pragma once

#include <csignal>

namespace tessera {

// SIGTERM and SIGINT.
sigset_t ShutdownSignals();

// Blocks ShutdownSignals() in the calling thread and ignores SIGPIPE, so that a peer closing its
// socket mid-reply never kills the daemon. REQUIRES: called before any thread is started.
void BlockShutdownSignals();

}  // namespace tessera
