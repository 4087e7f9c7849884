// Translation of a FUSE setattr (struct stat + FUSE_SET_ATTR_* bits) into the master's
// rpc::SetAttrRequest. Pure; thread-safe.
#pragma once

#include <sys/stat.h>

#include "gen-cpp/tessera_types.h"

namespace tessera::fuse {

// Only the fields named in `to_set` are set in the request; *_NOW becomes atime_now/mtime_now so
// that the master's clock stamps the time. Bits Tessera does not store (ctime, which the master
// maintains itself, and the kill-suid hints) are ignored. Mode keeps permission bits only.
rpc::SetAttrRequest SetAttrRequestFromFuse(const struct stat& attr, int to_set);

// True when the request changes nothing, so the caller can answer with a plain getattr instead
// of a mutation through the Raft log.
bool IsEmptySetAttrRequest(const rpc::SetAttrRequest& request);

}  // namespace tessera::fuse
