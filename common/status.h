// Status and Result<T>: errors carried as values across every module boundary.
//
// A Status is cheap to copy when ok (no allocation). The codes mirror rpc::ErrorCode one to one
// so that translating at the RPC edge (rpc_errors.h) loses nothing. Add a code only when some
// caller reacts to it differently from the existing ones.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace tessera {

enum class StatusCode : int {
  kOk = 0,
  kNotFound = 1,
  kAlreadyExists = 2,
  kNotDirectory = 3,
  kIsDirectory = 4,
  kNotEmpty = 5,
  kInvalidArgument = 6,
  kNameTooLong = 7,
  kNoSpace = 8,
  kIoError = 9,
  kCorruption = 10,
  kNotLeader = 11,
  kStaleVersion = 12,
  kPermissionDenied = 13,
  kUnavailable = 14,
  kInternal = 15,
  // EPERM: the operation is reserved to the owner or root (EACCES is kPermissionDenied).
  kNotPermitted = 16,
  kNoData = 24,        // no such extended attribute
  kNotSupported = 25,  // an operation or namespace Tessera does not support
  kWouldBlock = 30,    // another owner holds a conflicting file lock (EAGAIN)
  kMountExpired = 31,  // the mount was declared dead and lost its file locks (ENOLCK)
  kFileTooLarge = 32,  // past the largest file size Tessera keeps (EFBIG)
};

std::string_view StatusCodeName(StatusCode code);
// Whether `value` is the number of a StatusCode (for decoding codes from the wire and the disk).
bool IsKnownStatusCode(int value);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
  static Status NotDirectory(std::string m) { return {StatusCode::kNotDirectory, std::move(m)}; }
  static Status IsDirectory(std::string m) { return {StatusCode::kIsDirectory, std::move(m)}; }
  static Status NotEmpty(std::string m) { return {StatusCode::kNotEmpty, std::move(m)}; }
  static Status InvalidArgument(std::string m) {
    return {StatusCode::kInvalidArgument, std::move(m)};
  }
  static Status NameTooLong(std::string m) { return {StatusCode::kNameTooLong, std::move(m)}; }
  static Status NoSpace(std::string m) { return {StatusCode::kNoSpace, std::move(m)}; }
  static Status IoError(std::string m) { return {StatusCode::kIoError, std::move(m)}; }
  static Status Corruption(std::string m) { return {StatusCode::kCorruption, std::move(m)}; }
  static Status NotLeader(std::string m) { return {StatusCode::kNotLeader, std::move(m)}; }
  static Status StaleVersion(std::string m) { return {StatusCode::kStaleVersion, std::move(m)}; }
  static Status PermissionDenied(std::string m) {
    return {StatusCode::kPermissionDenied, std::move(m)};
  }
  static Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }
  static Status NoData(std::string m) { return {StatusCode::kNoData, std::move(m)}; }
  static Status NotSupported(std::string m) { return {StatusCode::kNotSupported, std::move(m)}; }
  static Status NotPermitted(std::string m) { return {StatusCode::kNotPermitted, std::move(m)}; }
  static Status WouldBlock(std::string m) { return {StatusCode::kWouldBlock, std::move(m)}; }
  static Status MountExpired(std::string m) { return {StatusCode::kMountExpired, std::move(m)}; }
  static Status FileTooLarge(std::string m) { return {StatusCode::kFileTooLarge, std::move(m)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "NOT_FOUND: no entry 'x' in inode 1"
  std::string ToString() const;

  bool operator==(const Status& other) const = default;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// A value or the Status that explains why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Status status) : state_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!std::get<Status>(state_).ok() && "a Result holding a Status must hold an error");
  }

  bool ok() const { return std::holds_alternative<T>(state_); }
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(state_); }

  // REQUIRES: ok()
  T& value() & { return std::get<T>(state_); }
  const T& value() const& { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> state_;
};

}  // namespace tessera

#define TESSERA_CONCAT_INNER(a, b) a##b
#define TESSERA_CONCAT(a, b) TESSERA_CONCAT_INNER(a, b)

// Returns the Status from the enclosing function when `expr` is not ok.
#define RETURN_IF_ERROR(expr)                            \
  do {                                                   \
    ::tessera::Status tessera_status_ = (expr);          \
    if (!tessera_status_.ok()) return tessera_status_;   \
  } while (0)

// ASSIGN_OR_RETURN(auto x, MakeX()): binds the value or returns the error.
#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL(TESSERA_CONCAT(tessera_result_, __LINE__), lhs, expr)
#define ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                          \
  if (!tmp.ok()) return tmp.status();         \
  lhs = std::move(tmp).value()
