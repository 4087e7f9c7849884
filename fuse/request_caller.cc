#include "fuse/request_caller.h"

#include <sys/types.h>

#include <algorithm>
#include <cstddef>
#include <vector>

#include "fuse/tessera_fuse.h"

namespace tessera::fuse {

namespace {

std::vector<uint32_t> ReadGroups(fuse_req_t req) {
  // Most processes have few groups; ask again with the exact size when there are more.
  std::vector<gid_t> groups(32);
  int count = fuse_req_getgroups(req, static_cast<int>(groups.size()), groups.data());
  if (count > static_cast<int>(groups.size())) {
    groups.resize(static_cast<size_t>(count));
    count = fuse_req_getgroups(req, static_cast<int>(groups.size()), groups.data());
  }
  if (count <= 0) return {};
  const size_t n = std::min(static_cast<size_t>(count), groups.size());
  return {groups.begin(), groups.begin() + static_cast<std::ptrdiff_t>(n)};
}

}  // namespace

client::Caller CallerFromRequest(fuse_req_t req) {
  const fuse_ctx* ctx = fuse_req_ctx(req);
  client::Caller caller;
  caller.uid = ctx->uid;
  caller.gid = ctx->gid;
  caller.groups = TesseraFuse::FromRequest(req).groups_cache().Get(
      ctx->pid, ctx->uid, ctx->gid, [req] { return ReadGroups(req); });
  return caller;
}

}  // namespace tessera::fuse
