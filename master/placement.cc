#include "master/placement.h"

#include <algorithm>
#include <set>

#include "common/logging.h"

namespace tessera::master {

namespace {

// Free space in whole percent of capacity; -1 when unknown.
int FreePercent(const PlacementCandidate& candidate) {
  if (!candidate.stats_known) return -1;
  if (candidate.total_bytes <= 0) return 0;
  return static_cast<int>(100 * static_cast<double>(candidate.free_bytes) /
                          static_cast<double>(candidate.total_bytes));
}

}  // namespace

bool PlacesBefore(const PlacementCandidate& a, const PlacementCandidate& b) {
  const int free_a = FreePercent(a);
  const int free_b = FreePercent(b);
  if (free_a != free_b) return free_a > free_b;
  if (a.chunk_count != b.chunk_count) return a.chunk_count < b.chunk_count;
  return a.server_id < b.server_id;
}

bool TakesNewReplicas(const PlacementCandidate& server) {
  if (server.draining) return false;
  return !server.stats_known || server.free_bytes >= kMinFreeBytesForChunk;
}

Result<std::vector<int64_t>> ChooseChunkServers(const std::vector<PlacementCandidate>& live,
                                                int goal) {
  if (goal < 1) return Status::InvalidArgument("goal " + std::to_string(goal) + " < 1");
  std::vector<const PlacementCandidate*> ranked;
  std::set<int64_t> seen_ids;
  for (const PlacementCandidate& candidate : live) {
    // A server listed twice must never get two replicas.
    if (!TakesNewReplicas(candidate) || !seen_ids.insert(candidate.server_id).second) {
      continue;
    }
    ranked.push_back(&candidate);
  }
  if (ranked.empty()) {
    return Status::NoSpace("no live chunk server has room for a chunk (" +
                           std::to_string(live.size()) + " live, draining ones excluded)");
  }
  std::sort(ranked.begin(), ranked.end(),
            [](const auto* a, const auto* b) { return PlacesBefore(*a, *b); });

  std::vector<int64_t> chosen;
  std::set<std::string> used_racks;
  std::vector<bool> taken(ranked.size(), false);
  size_t wanted = std::min<size_t>(static_cast<size_t>(goal), ranked.size());
  while (chosen.size() < wanted) {
    // Best server on a new rack; when every rack is used, the best remaining server.
    size_t pick = ranked.size();
    for (size_t i = 0; i < ranked.size(); ++i) {
      if (taken[i]) continue;
      if (!used_racks.contains(ranked[i]->rack)) {
        pick = i;
        break;
      }
      if (pick == ranked.size()) pick = i;
    }
    taken[pick] = true;
    used_racks.insert(ranked[pick]->rack);
    chosen.push_back(ranked[pick]->server_id);
  }
  if (chosen.size() < static_cast<size_t>(goal)) {
    LOG(kWarning, "master") << "placement: goal " << goal << " but only " << chosen.size()
                            << " live chunk server(s) with room; placing " << chosen.size()
                            << " replica(s)";
  }
  return chosen;
}

}  // namespace tessera::master
