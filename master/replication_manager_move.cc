// ReplicationManager::MoveReplica: the balancer's moves go through the re-replication copy path
// (Copy), so that they follow the same fencing, stamp-first and version rules, and the scanner
// leaves the chunk alone meanwhile (it is in running_, like a queued copy).
#include <algorithm>
#include <string>

#include "common/logging.h"
#include "master/replication_manager.h"

namespace tessera::master {
namespace {

constexpr const char* kComponent = "balance";

}  // namespace

Result<int64_t> ReplicationManager::MoveReplica(const ChunkOfFile& chunk, int64_t source,
                                                int64_t target) {
  const int64_t chunk_id = chunk.chunk.chunk_id;
  {
    std::lock_guard lock(mu_);
    if (stopping_) return Status::Unavailable("the master is stopping");
    if (running_.contains(chunk_id) || registry_->IsFenced(chunk_id)) {
      return Status::Unavailable("chunk " + std::to_string(chunk_id) + " is being copied");
    }
    registry_->Fence(chunk_id);  // from here on no new write chain is handed out for it
    running_.insert(chunk_id);
    ++busy_[source];
    ++busy_[target];
  }
  Result<int64_t> moved = [&]() -> Result<int64_t> {
    // Read again under the fence: a lease granted since the plan moved the version on.
    ASSIGN_OR_RETURN(ChunkAtIndex now, state_->GetChunk(chunk.inode, chunk.chunk_index));
    if (now.chunk.chunk_id != chunk_id || now.chunk.version != chunk.chunk.version) {
      return Status::Unavailable("chunk " + std::to_string(chunk_id) + " changed since the plan");
    }
    // Every current copy is stamped (a copy left at the old version would turn stale); the
    // source first, so that it serves the copy.
    CopyAction action{chunk, {source}, target, 0};
    for (const ReplicaState& copy : registry_->Replicas(chunk_id)) {
      if (copy.server_id == target) {
        return Status::AlreadyExists("server " + std::to_string(target) + " holds chunk " +
                                     std::to_string(chunk_id) + " already");
      }
      if (!copy.alive || copy.version < chunk.chunk.version) continue;
      ++action.live_copies;
      if (copy.server_id != source) action.sources.push_back(copy.server_id);
    }
    ASSIGN_OR_RETURN(int64_t bytes, Copy(action));
    const int64_t version = chunk.chunk.version + 1;
    if (!registry_->Holds(target, chunk_id, version)) {
      return Status::Unavailable("the copy on server " + std::to_string(target) +
                                 " is not registered at version " + std::to_string(version));
    }
    const std::vector<ReplicaState> copies = registry_->Replicas(chunk_id);
    const auto staying = std::count_if(copies.begin(), copies.end(), [&](const auto& copy) {
      return copy.alive && !copy.draining && copy.version >= version && copy.server_id != source;
    });
    if (staying < chunk.goal) {
      // A stamp failed somewhere: the source's copy is needed for the goal; the scanner drops
      // the surplus once the chunk is whole again.
      LOG(kWarning, kComponent) << "chunk " << chunk_id << " copied to server " << target
                                << " but only " << staying << " of goal " << chunk.goal
                                << " current copies without server " << source
                                << ": its copy is kept";
      return bytes;
    }
    registry_->DeleteReplica(source, chunk_id);
    return bytes;
  }();
  registry_->Unfence(chunk_id);
  std::lock_guard lock(mu_);
  for (int64_t server : {source, target}) {
    if (--busy_[server] <= 0) busy_.erase(server);
  }
  running_.erase(chunk_id);
  return moved;
}

}  // namespace tessera::master
