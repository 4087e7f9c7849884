#include "master/unlinked_inode_reaper.h"

#include <algorithm>
#include <vector>

#include "common/logging.h"
#include "master/ops/ops.h"

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
  const std::vector<int64_t> expired = open_files_->Expired(tenure->term, unlinked);
  for (size_t begin = 0; begin < expired.size(); begin += kMaxInodesPerFree) {
    const size_t end = std::min(expired.size(), begin + kMaxInodesPerFree);
    Free(std::vector<int64_t>(expired.begin() + begin, expired.begin() + end));
  }
}

void UnlinkedInodeReaper::Free(std::vector<int64_t> inodes) {
  const size_t count = inodes.size();
  const int64_t first = inodes.front();
  master_state::FreeUnlinkedInodeCommand free;
  free.inodes = std::move(inodes);
  MetaCommand command;
  command.__set_free_unlinked_inode(free);
  Result<ApplyResult> applied = log_->Propose(std::move(command));
  std::lock_guard lock(mu_);
  if (!applied.ok()) {
    ++counters_.frees_failed;
    LOG(kWarning, kComponent) << "could not free " << count << " unlinked inode(s) (first "
                              << first << "): " << applied.status().ToString();
    return;
  }
  counters_.inodes_freed += count;
  counters_.chunks_freed += applied->freed_chunk_ids.size();
  LOG(kInfo, kComponent) << "freed " << count << " unlinked inode(s) (first " << first
                         << ") and their " << applied->freed_chunk_ids.size()
                         << " chunk(s): no mount reported them open for "
                         << open_files_->grace_ms() << " ms";
}

}  // namespace tessera::master
