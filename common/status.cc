#include "common/status.h"

namespace tessera {

std::string_view StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "OK";
    case StatusCode::kNotFound: return "NOT_FOUND";
    case StatusCode::kAlreadyExists: return "ALREADY_EXISTS";
    case StatusCode::kNotDirectory: return "NOT_DIRECTORY";
    case StatusCode::kIsDirectory: return "IS_DIRECTORY";
    case StatusCode::kNotEmpty: return "NOT_EMPTY";
    case StatusCode::kInvalidArgument: return "INVALID_ARGUMENT";
    case StatusCode::kNameTooLong: return "NAME_TOO_LONG";
    case StatusCode::kNoSpace: return "NO_SPACE";
    case StatusCode::kIoError: return "IO_ERROR";
    case StatusCode::kCorruption: return "CORRUPTION";
    case StatusCode::kNotLeader: return "NOT_LEADER";
    case StatusCode::kStaleVersion: return "STALE_VERSION";
    case StatusCode::kPermissionDenied: return "PERMISSION_DENIED";
    case StatusCode::kUnavailable: return "UNAVAILABLE";
    case StatusCode::kInternal: return "INTERNAL";
    case StatusCode::kNoData: return "NO_DATA";
    case StatusCode::kNotSupported: return "NOT_SUPPORTED";
    case StatusCode::kNotPermitted: return "NOT_PERMITTED";
    case StatusCode::kWouldBlock: return "WOULD_BLOCK";
    case StatusCode::kMountExpired: return "MOUNT_EXPIRED";
    case StatusCode::kFileTooLarge: return "FILE_TOO_LARGE";
  }
  return "UNKNOWN";
}

bool IsKnownStatusCode(int value) {
  return (value >= 0 && value <= static_cast<int>(StatusCode::kInternal)) ||
         value == static_cast<int>(StatusCode::kNotPermitted) ||
         value == static_cast<int>(StatusCode::kNoData) ||
         value == static_cast<int>(StatusCode::kNotSupported) ||
         value == static_cast<int>(StatusCode::kWouldBlock) ||
         value == static_cast<int>(StatusCode::kMountExpired) ||
         value == static_cast<int>(StatusCode::kFileTooLarge);
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string out(StatusCodeName(code_));
  if (!message_.empty()) {
    out += ": ";
    out += message_;
  }
  return out;
}

}  // namespace tessera
