// Decides which replicas to move so that chunk servers fill evenly (`tessera balance`,
// master/balancer.h). A pure function of what the leader knows now: the servers with their used
// and total space, and the chunks with their goals, sizes and copies. No clock, no I/O, no
// randomness; thread-safe.
//
// "Use" is used / capacity of a server; the mean is total used / total capacity over the
// eligible servers (alive, not draining, capacity known). The cluster is balanced when every
// eligible server's use is within `threshold` of the mean. A move copies a chunk from a source to
// a target and then drops the source copy, so it never changes a chunk's number of copies.
//
// Rules:
// - sources are servers above mean + threshold (when none is, any server above the mean),
//   fullest first; targets are servers below mean - threshold (when none is, any below the mean),
//   emptiest first; so a new empty server is filled even when no server is far above the mean;
// - draining and dead servers are neither sources nor targets, and do not count in the mean;
// - a chunk moves only when it has at least its goal in current copies on live servers that are
//   not draining (a chunk under goal is the replication manager's), from a current copy;
// - never two copies of one chunk on one server: the target holds no copy of the chunk at all
//   (live or dead, any version);
// - failure domains: a move never lowers the number of racks holding the chunk; among the
//   chunks that fit, one whose move reaches a new rack is preferred, then the largest;
// - a move leaves the target no fuller than the source (no ping-pong) and a whole chunk free on
//   the target (placement's kMinFreeBytesForChunk);
// - at most one move per chunk and `max_moves` moves per plan.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "master/chunk_server_registry.h"
#include "master/state_machine.h"

namespace tessera::master {

struct BalanceServer {
  int64_t server_id = 0;
  std::string rack;
  int64_t capacity_bytes = 0;  // 0: unknown (no heartbeat yet): not eligible
  int64_t used_bytes = 0;
  bool alive = false;
  bool draining = false;
};

struct BalanceChunk {
  ChunkOfFile chunk;                   // with the current version and the goal
  int64_t bytes = 0;                   // the chunk's data (its share of the file's size)
  std::vector<ReplicaState> replicas;  // every known copy (ChunkServerRegistry::Replicas)
};

struct BalanceMove {
  ChunkOfFile chunk;
  int64_t source = 0;
  int64_t target = 0;
  int64_t bytes = 0;
  std::string why;  // "server 3 at 71.2% -> server 9 at 4.0% (mean 38.5%)"
};

struct BalanceAssessment {
  int eligible_servers = 0;
  double mean_use = 0.0;       // fraction, 0..1
  double max_deviation = 0.0;  // fraction: the farthest eligible server's |use - mean|
  bool balanced = true;
  // What must still move so that every server is within the threshold: the larger of the
  // excess above mean + threshold and the shortfall below mean - threshold.
  int64_t bytes_remaining = 0;
};

struct BalanceLimits {
  double threshold = 0.10;  // fraction, REQUIRES: > 0
  int max_moves = 16;       // REQUIRES: > 0
};

struct BalancePlan {
  BalanceAssessment before;
  BalanceAssessment after;  // as predicted once every move is done
  std::vector<BalanceMove> moves;
};

BalanceAssessment AssessBalance(const std::vector<BalanceServer>& servers, double threshold);

// `chunks`: the candidates; the caller leaves out chunks it must not touch now (being copied).
BalancePlan PlanBalance(const std::vector<BalanceServer>& servers,
                        const std::vector<BalanceChunk>& chunks, const BalanceLimits& limits);

}  // namespace tessera::master
