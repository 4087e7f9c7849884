#include "master/path_lookup.h"

#include "common/names.h"

namespace tessera::master {
namespace {

constexpr size_t kMaxPathBytes = 4096;

}  // namespace

Result<ResolvedPath> ResolveAbsolutePath(const StateMachine& state, std::string_view path) {
  if (path.empty() || path.front() != '/' || path.size() > kMaxPathBytes) {
    return Status::InvalidArgument("need an absolute path of at most " +
                                   std::to_string(kMaxPathBytes) + " bytes");
  }
  ResolvedPath resolved;
  ASSIGN_OR_RETURN(resolved.attr, state.GetAttr(kRootInode));
  resolved.path = "/";
  size_t begin = 1;
  while (begin < path.size()) {
    size_t end = path.find('/', begin);
    if (end == std::string_view::npos) end = path.size();
    const std::string_view name = path.substr(begin, end - begin);
    begin = end + 1;
    if (name.empty()) continue;
    RETURN_IF_ERROR(ValidateName(name));
    ASSIGN_OR_RETURN(resolved.attr, state.Lookup(resolved.attr.inode, name));
    resolved.path += (resolved.path == "/" ? "" : "/") + std::string(name);
  }
  return resolved;
}

}  // namespace tessera::master
