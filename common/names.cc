#include "common/names.h"

#include <string>

namespace tessera {

Status ValidateName(std::string_view name) {
  if (name.empty()) return Status::InvalidArgument("empty name");
  if (name.size() > kMaxNameBytes) {
    return Status::NameTooLong("name of " + std::to_string(name.size()) + " bytes exceeds " +
                               std::to_string(kMaxNameBytes));
  }
  if (name == "." || name == "..") return Status::InvalidArgument("name '.' or '..'");
  if (name.find('/') != std::string_view::npos) {
    return Status::InvalidArgument("name contains '/'");
  }
  if (name.find('\0') != std::string_view::npos) {
    return Status::InvalidArgument("name contains NUL");
  }
  return Status::Ok();
}

Status ValidateSymlinkTarget(std::string_view target) {
  if (target.empty()) return Status::InvalidArgument("empty symlink target");
  if (target.size() > kMaxSymlinkTargetBytes) {
    return Status::NameTooLong("symlink target of " + std::to_string(target.size()) +
                               " bytes exceeds " + std::to_string(kMaxSymlinkTargetBytes));
  }
  if (target.find('\0') != std::string_view::npos) {
    return Status::InvalidArgument("symlink target contains NUL");
  }
  return Status::Ok();
}

Status ValidateRenameFlags(uint32_t flags) {
  if (flags == 0 || flags == kRenameNoReplace || flags == kRenameExchange) return Status::Ok();
  return Status::InvalidArgument("rename flags " + std::to_string(flags) +
                                 " are not 0, RENAME_NOREPLACE or RENAME_EXCHANGE");
}

}  // namespace tessera
