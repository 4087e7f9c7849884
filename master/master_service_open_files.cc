// MasterService.reportOpenFiles: a mount names the inodes it holds open, so that the leader keeps
// unlinked files while they are open (open_file_table.h, unlinked_inode_reaper.h).
#include <string>

#include "common/logging.h"
#include "common/open_files.h"
#include "common/rpc_errors.h"
#include "master/master_service.h"
#include "master/request_validation.h"

namespace tessera::master {

namespace {

Status ValidateOpenFilesReport(int64_t mount_id, const std::vector<int64_t>& inodes) {
  if (mount_id <= 0) {
    return Status::InvalidArgument("mount_id must be > 0, got " + std::to_string(mount_id));
  }
  if (inodes.size() > static_cast<size_t>(kMaxOpenFilesPerReport)) {
    return Status::InvalidArgument("an open files report names at most " +
                                   std::to_string(kMaxOpenFilesPerReport) + " inodes, got " +
                                   std::to_string(inodes.size()));
  }
  for (int64_t inode : inodes) {
    if (inode <= 0) {
      return Status::InvalidArgument("open files report: inode " + std::to_string(inode) +
                                     " must be > 0");
    }
  }
  return Status::Ok();
}

}  // namespace

void MasterServiceHandler::reportOpenFiles(const rpc::RequestContext& ctx, int64_t mount_id,
                                           const std::vector<int64_t>& inodes) {
  ThrowIfError(ValidateContext(ctx));
  ThrowIfError(ValidateOpenFilesReport(mount_id, inodes));
  Result<LeaderTenure> tenure = log_->CheckLeader();
  ThrowIfError(tenure.status());
  open_files_.Report(tenure->term, mount_id, inodes);
  LOG_REQ(kDebug, "master", ctx.request_id)
      << "mount " << mount_id << " holds " << inodes.size() << " file(s) open";
}

}  // namespace tessera::master
