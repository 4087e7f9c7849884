// Reading extended attributes from the namespace database, with the access rules of
// master/xattr_rules.h. Changes go through the log instead (ops/set_xattr.cc,
// ops/remove_xattr.cc).
//
// Thread-safe as MetaStore reads are; the caller linearizes (ReadBarrier) before calling.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "master/meta_store.h"
#include "master/xattr_rules.h"

namespace tessera::master {

// The value of `name` on `inode`: kNotFound without the inode, kNoData without the attribute,
// the errors of ValidateXattrName and CheckXattrAccess(kRead).
Result<std::string> ReadXattr(const MetaStore& store, int64_t inode, std::string_view name,
                              const XattrCaller& caller);

// The names of `inode`'s attributes that `caller` may see (IsListedFor), in byte order.
Result<std::vector<std::string>> ListXattrNames(const MetaStore& store, int64_t inode,
                                                const XattrCaller& caller);

}  // namespace tessera::master
