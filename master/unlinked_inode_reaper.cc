#include "master/unlinked_inode_reaper.h"

#include <vector>

#include "common/logging.h"

namespace tessera::master {
namespace {

constexpr const char* kComponent = "unlinked";

}  // namespace

UnlinkedInodeReaper::UnlinkedInodeReaper(UnlinkedInodeReaperOptions options, CommandLog* log,
                                         const StateMachine* state, OpenFileTable* open_files)
    : options_(options), log_(log), state_(state), open_files_(open_files) {
  if (options_.scan_interval_ms > 0) {
    scanner_ = std::make_unique<PeriodicThread>(options_.scan_interval_ms, [this] { ScanOnce(); });
  }
}

UnlinkedInodeReaper::~UnlinkedInodeReaper() = default;

UnlinkedInodeCounters UnlinkedInodeReaper::counters() const {
  std::lock_guard lock(mu_);
  return counters_;
}

void UnlinkedInodeReaper::ScanOnce() {
  Result<LeaderTenure> tenure = log_->CheckLeader();
  if (!tenure.ok()) return;
  if (Status barrier = log_->ReadBarrier(); !barrier.ok()) return;
  Result<std::vector<UnlinkedInodeRecord>> records = state_->CurrentStore()->ListUnlinkedInodes();
  if (!records.ok()) {
    LOG(kError, kComponent) << "cannot list the unlinked inodes: " << records.status().ToString();
    return;
  }
  std::vector<int64_t> unlinked;
  unlinked.reserve(records->size());
  for (const UnlinkedInodeRecord& record : *records) unlinked.push_back(record.inode);
  {
    std::lock_guard lock(mu_);
    counters_.unlinked_inodes = static_cast<int64_t>(unlinked.size());
  }
  for (int64_t inode : open_files_->Expired(tenure->term, unlinked)) Free(inode);
}

void UnlinkedInodeReaper::Free(int64_t inode) {
  master_state::FreeUnlinkedInodeCommand free;
  free.inode = inode;
  MetaCommand command;
  command.__set_free_unlinked_inode(free);
  Result<ApplyResult> applied = log_->Propose(std::move(command));
  std::lock_guard lock(mu_);
  if (!applied.ok()) {
    ++counters_.frees_failed;
    LOG(kWarning, kComponent) << "could not free unlinked inode " << inode << ": "
                              << applied.status().ToString();
    return;
  }
  ++counters_.inodes_freed;
  counters_.chunks_freed += applied->freed_chunk_ids.size();
  LOG(kInfo, kComponent) << "freed unlinked inode " << inode << " and its "
                         << applied->freed_chunk_ids.size() << " chunk(s): no mount reported it "
                         << "open for " << open_files_->grace_ms() << " ms";
}

}  // namespace tessera::master
