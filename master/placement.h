// Where the replicas of a new chunk go.
//
// Pure function of its input (no clock, no randomness), so tests and the simulation see the
// same choice for the same cluster. Thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/names.h"
#include "common/status.h"

namespace tessera::master {

// A live chunk server as placement sees it.
struct PlacementCandidate {
  int64_t server_id = 0;
  std::string rack;
  int64_t total_bytes = 0;
  int64_t free_bytes = 0;
  // False between a server's registration and its first heartbeat: its space is unknown, so it
  // is assumed to have room but ranks after every server whose space is known.
  bool stats_known = true;
  // Replicas the server holds or was just given: spreads chunks over servers whose disks are
  // equally full (or shared, as when several servers run on one host).
  int64_t chunk_count = 0;
  // Being drained (`tessera decommission`): like a full server, it takes no new replica.
  bool draining = false;
};

// Whether `a` is a better home than `b` for a new replica: a fuller disk by a whole percent of
// capacity loses (servers within the same percent count as equally full), then the one with
// more chunks loses, then the higher server id. A server whose space is unknown ranks last.
bool PlacesBefore(const PlacementCandidate& a, const PlacementCandidate& b);

// A server has room for a chunk when it can hold a whole one.
inline constexpr int64_t kMinFreeBytesForChunk = kChunkSize;

// Whether `server` may take a new replica: not draining, and room for a whole chunk (assumed
// while its space is unknown).
bool TakesNewReplicas(const PlacementCandidate& server);

// Picks min(goal, servers that take new replicas) distinct servers in PlacesBefore order, preferring at each step a rack not used yet, so replicas spread over racks when
// there are enough of them. The first server is the chain's primary. kNoSpace when no candidate
// has room; kInvalidArgument when goal < 1. Fewer servers than goal is not an error (logged).
Result<std::vector<int64_t>> ChooseChunkServers(const std::vector<PlacementCandidate>& live,
                                                int goal);

}  // namespace tessera::master
