#include "master/xattr_rules.h"

#include <algorithm>
#include <string>

namespace tessera::master {
namespace {

constexpr std::string_view kUserPrefix = "user.";
constexpr std::string_view kTrustedPrefix = "trusted.";
constexpr std::string_view kSecurityPrefix = "security.";
constexpr std::string_view kSystemPrefix = "system.";

bool HasPrefix(std::string_view name, std::string_view prefix) {
  return name.size() > prefix.size() && name.substr(0, prefix.size()) == prefix;
}

bool IsRoot(const XattrCaller& caller) { return caller.IsRoot(); }

// The permission-bit check of inode_permission() (permissions.h): root passes.
Status CheckModeBits(const InodeRecord& inode, const XattrCaller& caller, XattrAccess access) {
  return CheckAccess(caller, inode, access == XattrAccess::kRead ? kMayRead : kMayWrite);
}

Status CheckUserXattrAccess(const InodeRecord& inode, std::string_view name,
                            const XattrCaller& caller, XattrAccess access) {
  const bool write = access == XattrAccess::kWrite;
  if (inode.type != rpc::FileType::REGULAR && inode.type != rpc::FileType::DIRECTORY) {
    if (write) return Status::NotPermitted("user.* xattrs only on files and directories");
    return Status::NoData("no xattr '" + std::string(name) + "'");
  }
  const bool sticky = (inode.mode & 01000) != 0;
  if (write && inode.type == rpc::FileType::DIRECTORY && sticky && !IsRoot(caller) &&
      caller.uid != inode.uid) {
    return Status::NotPermitted("only the owner sets user.* xattrs of a sticky directory");
  }
  return CheckModeBits(inode, caller, access);
}

}  // namespace

Status ValidateXattrName(std::string_view name) {
  if (name.empty()) return Status::InvalidArgument("empty xattr name");
  if (name.size() > kMaxXattrNameBytes) {
    return Status::NameTooLong("xattr name of " + std::to_string(name.size()) + " bytes (max " +
                               std::to_string(kMaxXattrNameBytes) + ")");
  }
  if (name.find('\0') != std::string_view::npos) {
    return Status::InvalidArgument("xattr name contains NUL");
  }
  for (std::string_view prefix : {kUserPrefix, kTrustedPrefix, kSecurityPrefix, kSystemPrefix}) {
    if (name == prefix)
      return Status::InvalidArgument("xattr name '" + std::string(name) +
                                     "' has a namespace but no name");
  }
  if (HasPrefix(name, kUserPrefix) || HasPrefix(name, kTrustedPrefix) ||
      HasPrefix(name, kSecurityPrefix)) {
    return Status::Ok();
  }
  if (name.substr(0, kSystemPrefix.size()) == kSystemPrefix) {
    return Status::NotSupported("system.* xattrs (POSIX ACLs included) are not supported: '" +
                                std::string(name) + "'");
  }
  return Status::NotSupported("xattr '" + std::string(name) +
                              "' is in no supported namespace (user., trusted., security.)");
}

Status ValidateXattrValue(std::string_view value) {
  if (value.size() > kMaxXattrValueBytes) {
    return Status::InvalidArgument("xattr value of " + std::to_string(value.size()) +
                                   " bytes (max " + std::to_string(kMaxXattrValueBytes) + ")");
  }
  return Status::Ok();
}

Status ValidateXattrFlags(int32_t flags) {
  if ((flags & ~(kXattrCreate | kXattrReplace)) == 0) return Status::Ok();
  return Status::InvalidArgument("xattr flags may hold only XATTR_CREATE and XATTR_REPLACE, got " +
                                 std::to_string(flags));
}

Status CheckXattrAccess(const InodeRecord& inode, std::string_view name, const XattrCaller& caller,
                        XattrAccess access) {
  const bool write = access == XattrAccess::kWrite;
  if (HasPrefix(name, kTrustedPrefix)) {
    if (IsRoot(caller)) return Status::Ok();
    if (write) return Status::NotPermitted("trusted.* xattrs are for root only");
    return Status::NoData("no xattr '" + std::string(name) + "'");
  }
  if (HasPrefix(name, kSecurityPrefix)) {
    if (!write || IsRoot(caller)) return Status::Ok();
    return Status::NotPermitted("only root sets security.* xattrs");
  }
  return CheckUserXattrAccess(inode, name, caller, access);
}

bool IsListedFor(std::string_view name, const XattrCaller& caller) {
  return IsRoot(caller) || !HasPrefix(name, kTrustedPrefix);
}

}  // namespace tessera::master
