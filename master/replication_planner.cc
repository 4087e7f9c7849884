#include "master/replication_planner.h"

#include <algorithm>
#include <set>

namespace tessera::master {
namespace {

double FreeFraction(const PlacementCandidate& server) {
  if (!server.stats_known || server.total_bytes <= 0) return 0.0;
  return static_cast<double>(server.free_bytes) / static_cast<double>(server.total_bytes);
}

struct UnderGoal {
  ChunkOfFile chunk;
  std::vector<ReplicaState> current;  // live copies at the current version, draining or not
  std::vector<int64_t> holders;       // every server with any copy
  int staying = 0;                    // current copies on servers that are not draining
};

std::vector<ReplicaState> Staying(const std::vector<ReplicaState>& copies) {
  std::vector<ReplicaState> staying;
  for (const ReplicaState& copy : copies) {
    if (!copy.draining) staying.push_back(copy);
  }
  return staying;
}

// The target for one copy, or 0 when no server qualifies.
int64_t ChooseTarget(const UnderGoal& chunk, const std::vector<PlacementCandidate>& live_servers,
                     const std::map<int64_t, int>& busy, const TargetVeto& veto,
                     const ReplicationLimits& limits) {
  // A draining copy's rack will soon hold nothing: it does not count as used.
  std::set<std::string> racks_used;
  for (const ReplicaState& copy : Staying(chunk.current)) racks_used.insert(copy.rack);
  const PlacementCandidate* best = nullptr;
  auto better = [&](const PlacementCandidate& a, const PlacementCandidate& b) {
    const bool a_new_rack = !racks_used.contains(a.rack);
    const bool b_new_rack = !racks_used.contains(b.rack);
    if (a_new_rack != b_new_rack) return a_new_rack;
    return PlacesBefore(a, b);
  };
  for (const PlacementCandidate& server : live_servers) {
    if (std::find(chunk.holders.begin(), chunk.holders.end(), server.server_id) !=
        chunk.holders.end()) {
      continue;
    }
    if (!TakesNewReplicas(server)) continue;  // full or draining
    auto load = busy.find(server.server_id);
    if (load != busy.end() && load->second >= limits.max_copies_per_server) continue;
    if (veto && veto(server.server_id, chunk.chunk.chunk.chunk_id)) continue;
    if (best == nullptr || better(server, *best)) best = &server;
  }
  return best == nullptr ? 0 : best->server_id;
}

}  // namespace

ReplicationPlan PlanReplication(const std::vector<ChunkOfFile>& chunks, const ReplicaLookup& replicas,
                                const std::vector<PlacementCandidate>& live_servers,
                                std::map<int64_t, int> busy,
                                const std::vector<int64_t>& running, const TargetVeto& veto,
                                const ReplicationLimits& limits) {
  ReplicationPlan plan;
  std::map<int64_t, double> free_fraction;
  for (const PlacementCandidate& server : live_servers) {
    free_fraction[server.server_id] = FreeFraction(server);
  }
  const std::set<int64_t> being_copied(running.begin(), running.end());
  std::vector<UnderGoal> under;
  for (const ChunkOfFile& chunk : chunks) {
    if (chunk.goal <= 0) continue;
    const int64_t id = chunk.chunk.chunk_id;
    UnderGoal entry{chunk, {}, {}, 0};
    for (const ReplicaState& copy : replicas(id)) {
      entry.holders.push_back(copy.server_id);
      if (!copy.alive) continue;
      if (copy.version >= chunk.chunk.version) {  // newer: stamped, not yet logged
        entry.current.push_back(copy);
        if (!copy.draining) ++entry.staying;
      } else if (copy.version < chunk.chunk.version && !being_copied.contains(id)) {
        plan.drops.push_back({id, copy.server_id,
                              "stale version " + std::to_string(copy.version) + " < " +
                                  std::to_string(chunk.chunk.version)});
      }
    }
    const int live = static_cast<int>(entry.current.size());
    if (live == 0) {
      ++plan.chunks_missing;
      continue;
    }
    if (entry.staying < live) ++plan.chunks_draining;
    if (live < chunk.goal) ++plan.chunks_under_goal;
    // Only copies on servers that stay count toward the goal; a draining copy still serves as
    // a source until the chunk has its goal elsewhere.
    if (entry.staying < chunk.goal) {
      if (!being_copied.contains(id)) under.push_back(std::move(entry));
      continue;
    }
    if (being_copied.contains(id)) continue;
    // The goal is met by copies that stay: draining copies go first, then any surplus, the
    // fullest servers' first. At least `goal` (>= 1) good copies always remain.
    for (const ReplicaState& copy : entry.current) {
      if (copy.draining) {
        plan.drops.push_back({id, copy.server_id,
                              "server draining, goal " + std::to_string(chunk.goal) +
                                  " met elsewhere"});
      }
    }
    if (entry.staying > chunk.goal) {
      ++plan.chunks_over_goal;
      std::vector<ReplicaState> surplus = Staying(entry.current);
      std::sort(surplus.begin(), surplus.end(), [&](const auto& a, const auto& b) {
        if (free_fraction[a.server_id] != free_fraction[b.server_id]) {
          return free_fraction[a.server_id] < free_fraction[b.server_id];
        }
        return a.server_id > b.server_id;
      });
      for (int i = 0; i < entry.staying - chunk.goal; ++i) {
        plan.drops.push_back({id, surplus[i].server_id,
                              "above goal " + std::to_string(chunk.goal)});
      }
    }
  }
  // Fewest live copies first: they are closest to being lost; moves off draining servers (as
  // many live copies, fewer that stay) after them.
  std::stable_sort(under.begin(), under.end(), [](const UnderGoal& a, const UnderGoal& b) {
    if (a.current.size() != b.current.size()) return a.current.size() < b.current.size();
    return a.staying < b.staying;
  });
  for (UnderGoal& chunk : under) {
    std::vector<int64_t> sources;
    for (const ReplicaState& copy : chunk.current) sources.push_back(copy.server_id);
    std::stable_sort(sources.begin(), sources.end(),
                     [&](int64_t a, int64_t b) { return busy[a] < busy[b]; });
    if (busy[sources.front()] >= limits.max_copies_per_server) continue;
    const int64_t target = ChooseTarget(chunk, live_servers, busy, veto, limits);
    if (target == 0) continue;
    ++busy[sources.front()];
    ++busy[target];
    plan.copies.push_back(
        {chunk.chunk, std::move(sources), target, static_cast<int>(chunk.current.size())});
  }
  return plan;
}

}  // namespace tessera::master
