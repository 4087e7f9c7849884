// MasterService handler of `tessera fileinfo`: where the chunks of one file are.
#include <string>
#include <utility>

#include "common/logging.h"
#include "common/rpc_errors.h"
#include "master/file_info.h"
#include "master/master_service.h"
#include "master/request_validation.h"

namespace tessera::master {
namespace {

// A path from the network is logged only this far: a 4 KiB name must not flood the log.
constexpr size_t kMaxLoggedPathBytes = 256;

}  // namespace

void MasterServiceHandler::fileInfo(rpc::FileInfoReply& reply, const rpc::RequestContext& ctx,
                                    const std::string& path) {
  ThrowIfError(ValidateContext(ctx));
  // Replica locations are the leader's soft state; a follower's would be empty or old.
  ThrowIfError(LeadForChunkServers().status());
  ThrowIfError(log_->ReadBarrier());
  Result<rpc::FileInfoReply> info = BuildFileInfo(*state_, *registry_, path);
  LOG_REQ(kInfo, "master", ctx.request_id)
      << "fileinfo " << path.substr(0, kMaxLoggedPathBytes)
      << (path.size() > kMaxLoggedPathBytes ? "...: " : ": ")
      << (info.ok() ? std::to_string(info->chunks.size()) + " chunks" : info.status().ToString());
  ThrowIfError(info.status());
  reply = std::move(*info);
}

}  // namespace tessera::master
