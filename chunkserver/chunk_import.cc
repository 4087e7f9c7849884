#include "chunkserver/chunk_import.h"

#include <filesystem>

#include "chunkserver/file_io.h"
#include "common/logging.h"

namespace tessera {

ChunkImport::~ChunkImport() {
  if (committed_) return;
  file_.reset();  // close before removing
  std::error_code ec;
  std::filesystem::remove(staging_path_, ec);
  if (ec) {
    LOG(kWarning, "chunkserver") << "cannot remove abandoned import " << staging_path_ << ": "
                                 << ec.message() << " (removed at the next start)";
  }
}

Status ChunkImport::Append(std::span<const std::byte> data) {
  return file_->Write(file_->version(), file_->length(), data);
}

Status ChunkImport::SyncAndVerify() {
  RETURN_IF_ERROR(file_->Sync());
  ASSIGN_OR_RETURN(auto io, OpenPosixFile(staging_path_, OpenMode::kReadOnly));
  ASSIGN_OR_RETURN(auto staged, ChunkFile::Open(std::move(io), chunk_id()));
  if (staged->version() != version() || staged->length() != length()) {
    return Status::IoError("staged copy " + staging_path_ + " reads back as version " +
                           std::to_string(staged->version()) + " length " +
                           std::to_string(staged->length()) + ", wrote version " +
                           std::to_string(version()) + " length " + std::to_string(length()));
  }
  return Status::Ok();
}

}  // namespace tessera
