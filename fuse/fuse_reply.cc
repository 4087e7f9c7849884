#include "fuse/fuse_reply.h"

#include <cerrno>
#include <cstring>

#include "common/logging.h"
#include "fuse/attr_conversion.h"
#include "fuse/errno_mapping.h"
#include "fuse/tessera_fuse.h"

namespace tessera::fuse {

void ReplyError(fuse_req_t req, const Status& status, std::string_view op, int64_t inode) {
  const int error = ErrnoFromStatus(status);
  if (error == EIO) {
    LOG(kWarning, "fuse") << op << " inode " << inode << " failed with EIO: " << status.ToString();
  } else {
    LOG(kDebug, "fuse") << op << " inode " << inode << " answered " << std::strerror(error) << ": "
                        << status.ToString();
  }
  fuse_reply_err(req, error);
}

fuse_entry_param EntryParamFromAttr(fuse_req_t req, const rpc::Attr& attr) {
  const MountOptions& options = TesseraFuse::FromRequest(req).options();
  fuse_entry_param entry;
  std::memset(&entry, 0, sizeof(entry));
  entry.ino = static_cast<fuse_ino_t>(attr.inode);
  // generation stays 0: it only matters for NFS export of the mount, which is not offered.
  entry.attr = StatFromAttr(attr);
  entry.attr_timeout = options.attr_timeout_s;
  entry.entry_timeout = options.entry_timeout_s;
  return entry;
}

void ReplyEntry(fuse_req_t req, const rpc::Attr& attr) {
  const fuse_entry_param entry = EntryParamFromAttr(req, attr);
  fuse_reply_entry(req, &entry);
}

void ReplyAttr(fuse_req_t req, const rpc::Attr& attr) {
  const struct stat st = StatFromAttr(attr);
  fuse_reply_attr(req, &st, TesseraFuse::FromRequest(req).options().attr_timeout_s);
}

}  // namespace tessera::fuse
