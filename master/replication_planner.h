// Decides which chunk copies to make and which replicas to drop, so that every chunk returns to
// its goal (DESIGN.md, replication manager). A pure function of what the leader knows now: the
// chunks with their goals, where their copies are, the live servers and the copies already
// running. No clock, no I/O, no randomness; thread-safe.
//
// Rules:
// - a copy counts when its server is alive, holds the chunk's current version (or a newer one
//   stamped but not logged: ChunkVersionStamper) and is not draining; a draining server's
//   current copy does not count toward the goal but is a valid source, and is dropped once the
//   chunk has its goal in copies that count (never before);
// - copies with an older version on live servers are stale: dropped;
// - chunks below goal are copied, fewest current copies first, from a current copy to a live
//   server that holds no copy of the chunk and has room, preferring a rack that holds none, then
//   placement's order (PlacesBefore: emptier disk, then fewer chunks); at most `max_copies_per_server` copies run per server (as source or
//   target) at a time;
// - no copy goes to a draining server (placement's TakesNewReplicas);
// - chunks above goal lose their surplus copies, draining ones first, then the fullest
//   servers';
// - a chunk with no current copy cannot be repaired here: it is counted as missing.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "master/chunk_server_registry.h"
#include "master/placement.h"
#include "master/state_machine.h"

namespace tessera::master {

struct CopyAction {
  ChunkOfFile chunk;
  std::vector<int64_t> sources;  // servers holding the current version, least busy first
  int64_t target = 0;
  int live_copies = 0;  // before the copy
};

struct DropAction {
  int64_t chunk_id = 0;
  int64_t server_id = 0;
  std::string why;  // "stale version 3 < 4", "above goal 3"
};

struct ReplicationPlan {
  std::vector<CopyAction> copies;
  std::vector<DropAction> drops;
  int64_t chunks_missing = 0;     // no current copy anywhere
  int64_t chunks_under_goal = 0;  // including those a copy is planned or running for
  int64_t chunks_over_goal = 0;
  int64_t chunks_draining = 0;  // with a live current copy on a draining server
};

struct ReplicationLimits {
  int max_copies_per_server = 2;
};

// What the planner reads about one chunk's copies; in production ChunkServerRegistry::Replicas.
using ReplicaLookup = std::function<std::vector<ReplicaState>(int64_t chunk_id)>;
// True when `server_id` must not receive a copy of `chunk_id` now (a deletion is pending).
using TargetVeto = std::function<bool(int64_t server_id, int64_t chunk_id)>;

// `busy`: copies running per server id (as source or target), `running`: chunk ids being copied
// (left alone). Returns the actions to take now.
ReplicationPlan PlanReplication(const std::vector<ChunkOfFile>& chunks, const ReplicaLookup& replicas,
                                const std::vector<PlacementCandidate>& live_servers,
                                std::map<int64_t, int> busy,
                                const std::vector<int64_t>& running, const TargetVeto& veto,
                                const ReplicationLimits& limits);

}  // namespace tessera::master
