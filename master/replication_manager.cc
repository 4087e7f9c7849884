#include "master/replication_manager.h"

#include <chrono>
#include <string>

#include "common/logging.h"
#include "master/id_list.h"

namespace tessera::master {
namespace {

constexpr const char* kComponent = "replication";


}  // namespace

ReplicationManager::ReplicationManager(ReplicationManagerOptions options, CommandLog* log,
                                       const StateMachine* state, ChunkServerRegistry* registry,
                                       const Clock* clock)
    : options_(options),
      log_(log),
      state_(state),
      registry_(registry),
      clock_(clock),
      chunk_servers_(RpcClientOptions{.connect_timeout_ms = 2000,
                                      .io_timeout_ms = options.copy_timeout_ms,
                                      .max_idle_per_address = 2}),
      stamper_(registry, options.copy_timeout_ms),
      orphans_(clock, options.gc_grace_ms) {
  threads_.emplace_back([this] { ScanLoop(); });
  for (int i = 0; i < options_.copy_threads; ++i) threads_.emplace_back([this] { CopyLoop(); });
}

ReplicationManager::~ReplicationManager() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (std::thread& thread : threads_) thread.join();
  for (const CopyAction& action : queue_) registry_->Unfence(action.chunk.chunk.chunk_id);
}

ReplicationCounters ReplicationManager::counters() const {
  std::lock_guard lock(mu_);
  ReplicationCounters counters = counters_;
  counters.copies_queued = static_cast<int64_t>(queue_.size());
  return counters;
}

void ReplicationManager::ScanLoop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    lock.unlock();
    ScanOnce();
    lock.lock();
    wake_.wait_for(lock, std::chrono::milliseconds(options_.scan_interval_ms),
                   [this] { return stopping_; });
  }
}

void ReplicationManager::ScanOnce() {
  Result<LeaderTenure> tenure = log_->CheckLeader();
  if (!tenure.ok()) return;
  // Also during the grace: a new leader may apply a decommission after the tenure began.
  registry_->RefreshDraining();
  if (tenure->since_monotonic_ns != 0 &&
      clock_->NowMonotonicNanos() - tenure->since_monotonic_ns <
          int64_t{options_.report_grace_ms} * 1'000'000) {
    return;  // chunk servers are still reporting to the new leader
  }
  registry_->BeginTenure(tenure->term);
  if (tenure->term != collector_term_) {
    orphans_.Reset();
    collector_term_ = tenure->term;
  }
  // In this order (orphan_collector.h): the ids chunk servers hold, then the namespace as of now.
  const std::vector<int64_t> known = registry_->KnownChunkIds();
  if (Status barrier = log_->ReadBarrier(); !barrier.ok()) return;
  std::vector<ChunkOfFile> chunks;
  std::unordered_set<int64_t> referenced;
  Status scanned = state_->ForEachChunkOfFile([&](const ChunkOfFile& chunk) {
    chunks.push_back(chunk);
    referenced.insert(chunk.chunk.chunk_id);
  });
  if (!scanned.ok()) {
    LOG(kError, kComponent) << "cannot scan the chunks of the namespace: " << scanned.ToString();
    return;
  }
  CollectOrphans(known, referenced);
  std::map<int64_t, int> busy;
  std::vector<int64_t> running;
  {
    std::lock_guard lock(mu_);
    busy = busy_;
    running.assign(running_.begin(), running_.end());
  }
  ReplicationPlan plan = PlanReplication(
      chunks, [this](int64_t chunk_id) { return registry_->Replicas(chunk_id); },
      registry_->LivePlacementCandidates(), busy, running,
      [this](int64_t server_id, int64_t chunk_id) {
        return registry_->DeletionPending(server_id, chunk_id);
      },
      options_.limits);
  for (const DropAction& drop : plan.drops) {
    registry_->DeleteReplica(drop.server_id, drop.chunk_id);
    LOG(kInfo, kComponent) << "dropping the replica of chunk " << drop.chunk_id << " on server "
                           << drop.server_id << ": " << drop.why;
  }
  std::lock_guard lock(mu_);
  if (plan.chunks_missing != counters_.chunks_missing ||
      plan.chunks_under_goal != counters_.chunks_under_goal) {
    LOG(kInfo, kComponent) << plan.chunks_under_goal << " chunk(s) under goal, "
                           << plan.chunks_missing << " with no live replica, "
                           << plan.chunks_over_goal << " over goal";
  }
  counters_.chunks_missing = plan.chunks_missing;
  counters_.chunks_under_goal = plan.chunks_under_goal;
  counters_.chunks_over_goal = plan.chunks_over_goal;
  counters_.chunks_draining = plan.chunks_draining;
  counters_.replicas_dropped += plan.drops.size();
  for (CopyAction& action : plan.copies) {
    // Fenced before it is queued: from here on no new write chain is handed out for it.
    registry_->Fence(action.chunk.chunk.chunk_id);
    ++busy_[action.sources.front()];
    ++busy_[action.target];
    running_.insert(action.chunk.chunk.chunk_id);
    ++counters_.copies_started;
    queue_.push_back(std::move(action));
  }
  if (!plan.copies.empty()) wake_.notify_all();
}

void ReplicationManager::CollectOrphans(const std::vector<int64_t>& known,
                                        const std::unordered_set<int64_t>& referenced) {
  std::vector<int64_t> orphans = orphans_.Collect(known, referenced);
  {
    // A copy still running for an id found unreferenced cleans up after itself (Copy).
    std::lock_guard lock(mu_);
    std::erase_if(orphans, [this](int64_t chunk_id) { return running_.contains(chunk_id); });
    counters_.orphans_waiting = static_cast<int64_t>(orphans_.waiting());
    counters_.orphans_deleted += orphans.size();
  }
  if (orphans.empty()) return;
  registry_->ScheduleDeletion(orphans);
  LOG(kInfo, kComponent) << "deleting " << orphans.size() << " chunk(s) that no file references "
                         << "(unreferenced for the grace period): " << JoinIds(orphans);
}

void ReplicationManager::CopyLoop() {
  std::unique_lock lock(mu_);
  while (true) {
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (stopping_) return;
    CopyAction action = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    const int64_t started = clock_->NowMonotonicNanos();
    Result<int64_t> copied = Copy(action);
    Finish(action, copied, (clock_->NowMonotonicNanos() - started) / 1'000'000);
    lock.lock();
  }
}

Status ReplicationManager::BumpVersion(const CopyAction& action) {
  master_state::BumpChunkVersionCommand bump;
  bump.inode = action.chunk.inode;
  bump.chunk_index = action.chunk.chunk_index;
  bump.chunk_id = action.chunk.chunk.chunk_id;
  bump.from_version = action.chunk.chunk.version;
  bump.to_version = action.chunk.chunk.version + 1;
  MetaCommand command;
  command.__set_bump_chunk_version(bump);
  return log_->Propose(std::move(command)).status();
}

Result<int64_t> ReplicationManager::Copy(const CopyAction& action) {
  const int64_t chunk_id = action.chunk.chunk.chunk_id;
  const int64_t version = action.chunk.chunk.version + 1;
  // Stamped before it is logged (chunk_version_stamper.h).
  const std::vector<int64_t> stamped = stamper_.Stamp(chunk_id, version, action.sources, "copy");
  if (stamped.empty()) {
    return Status::Unavailable("no current replica took version " + std::to_string(version));
  }
  RETURN_IF_ERROR(BumpVersion(action));
  std::vector<rpc::ChunkServerAddress> target = registry_->LiveAddresses({action.target});
  if (target.empty()) return Status::Unavailable("the target server died");
  rpc::ReplicateChunkRequest request;
  request.chunk_id = chunk_id;
  request.version = version;
  request.sources = registry_->LiveAddresses(stamped);
  request.request_id = "replicate-" + std::to_string(chunk_id);
  rpc::ReplicateChunkReply reply;
  RpcOutcome outcome = chunk_servers_.Call(
      HostPort{target.front().host, target.front().port},
      [&](rpc::ChunkServerServiceClient& client) { client.replicateChunk(reply, request); });
  RETURN_IF_ERROR(outcome.status);
  // The file may have been removed or rewritten meanwhile; then the copy belongs to nobody.
  Result<ChunkAtIndex> now = state_->GetChunk(action.chunk.inode, action.chunk.chunk_index);
  if (!now.ok() || now->chunk.chunk_id != chunk_id || now->chunk.version != version) {
    registry_->DeleteReplica(action.target, chunk_id);
    return Status::NotFound("chunk " + std::to_string(chunk_id) +
                            " left the namespace during the copy");
  }
  registry_->RecordReplicas(chunk_id, version, {action.target});
  return reply.bytes_copied;
}

void ReplicationManager::Finish(const CopyAction& action, const Result<int64_t>& copied,
                                int64_t took_ms) {
  const int64_t chunk_id = action.chunk.chunk.chunk_id;
  registry_->Unfence(chunk_id);
  if (copied.ok()) {
    LOG(kInfo, kComponent) << "re-replicated chunk " << chunk_id << " (inode "
                           << action.chunk.inode << " index " << action.chunk.chunk_index
                           << ", " << action.live_copies << " of goal " << action.chunk.goal
                           << " copies) from servers " << JoinIds(action.sources) << " to server "
                           << action.target << ": " << *copied << " bytes in " << took_ms
                           << " ms";
  } else {
    LOG(kWarning, kComponent) << "could not re-replicate chunk " << chunk_id << " to server "
                              << action.target << " after " << took_ms
                              << " ms: " << copied.status().ToString();
  }
  std::lock_guard lock(mu_);
  if (--busy_[action.sources.front()] <= 0) busy_.erase(action.sources.front());
  if (--busy_[action.target] <= 0) busy_.erase(action.target);
  running_.erase(chunk_id);
  if (copied.ok()) {
    ++counters_.copies_done;
    counters_.bytes_copied += static_cast<uint64_t>(*copied);
  } else {
    ++counters_.copies_failed;
  }
}

}  // namespace tessera::master
