// Dead-peer detection on a connected TCP socket.
//
// An RPC whose peer vanished from the network (a partition, a host that lost power) gets no
// reset: without this, the caller waits for its whole I/O timeout (30 s for data calls) before
// it tries another master or replica, although a crashed process on a reachable host is noticed
// at once. The kernel can tell the two apart from a slow peer: a live host acknowledges every
// segment and keepalive probe even while its process is busy or stopped. So data left
// unacknowledged for `dead_after_ms` (TCP_USER_TIMEOUT), or keepalive probes unanswered for as
// long while the caller waits for a reply, fail the connection with ETIMEDOUT.
//
// Thread-safety: a pure function of the socket.
#pragma once

#include "common/status.h"

namespace tessera {

// REQUIRES: `fd` is a TCP socket; `dead_after_ms` >= 1000 (keepalive counts whole seconds).
Status EnableDeadPeerDetection(int fd, int dead_after_ms);

}  // namespace tessera
