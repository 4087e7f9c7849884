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

}  // namespace tessera
