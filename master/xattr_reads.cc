#include "master/xattr_reads.h"

namespace tessera::master {
namespace {

Result<InodeRecord> RequireInode(const MetaStore& store, int64_t inode) {
  ASSIGN_OR_RETURN(std::optional<InodeRecord> record, store.GetInode(inode));
  if (!record) return Status::NotFound("no inode " + std::to_string(inode));
  return *std::move(record);
}

}  // namespace

Result<std::string> ReadXattr(const MetaStore& store, int64_t inode, std::string_view name,
                              const XattrCaller& caller) {
  RETURN_IF_ERROR(ValidateXattrName(name));
  ASSIGN_OR_RETURN(InodeRecord record, RequireInode(store, inode));
  RETURN_IF_ERROR(CheckXattrAccess(record, name, caller, XattrAccess::kRead));
  ASSIGN_OR_RETURN(std::optional<std::string> value, store.GetXattr(inode, name));
  if (!value) return Status::NoData("no xattr '" + std::string(name) + "'");
  return *std::move(value);
}

Result<std::vector<std::string>> ListXattrNames(const MetaStore& store, int64_t inode,
                                                const XattrCaller& caller) {
  RETURN_IF_ERROR(RequireInode(store, inode).status());
  ASSIGN_OR_RETURN(std::vector<NamedXattr> xattrs, store.ListXattrs(inode));
  std::vector<std::string> names;
  for (NamedXattr& xattr : xattrs) {
    if (IsListedFor(xattr.name, caller)) names.push_back(std::move(xattr.name));
  }
  return names;
}

}  // namespace tessera::master
