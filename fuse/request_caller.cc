#include "fuse/request_caller.h"

#include <sys/types.h>

#include <algorithm>
#include <cstddef>
#include <vector>

namespace tessera::fuse {

client::Caller CallerFromRequest(fuse_req_t req) {
  const fuse_ctx* ctx = fuse_req_ctx(req);
  client::Caller caller;
  caller.uid = ctx->uid;
  caller.gid = ctx->gid;

  // Most processes have few groups; ask again with the exact size when there are more.
  std::vector<gid_t> groups(32);
  int count = fuse_req_getgroups(req, static_cast<int>(groups.size()), groups.data());
  if (count > static_cast<int>(groups.size())) {
    groups.resize(static_cast<size_t>(count));
    count = fuse_req_getgroups(req, static_cast<int>(groups.size()), groups.data());
  }
  if (count > 0) {
    const size_t n = std::min(static_cast<size_t>(count), groups.size());
    caller.groups.assign(groups.begin(), groups.begin() + static_cast<std::ptrdiff_t>(n));
  }
  return caller;
}

}  // namespace tessera::fuse
