// What the master knows about chunk servers: soft state only, rebuilt from registrations and
// heartbeats after a master restart, never written to LevelDB or the log.
//
// - servers: info, latest stats, time of the last heartbeat (monotonic Clock); a server is alive
//   while its last heartbeat is at most `timeout_ms` old;
// - chunk locations: chunk id -> {server id -> version}, from reports and from placement (so a
//   chunk is readable before the next report names it);
// - pending deletions per server: unreferenced chunks (ReplicationManager's garbage collection),
//   surplus, stale and corrupt replicas, handed out in the next heartbeat reply;
// - fenced chunks: chunks being re-replicated, whose writes wait (prepareWrite answers
//   UNAVAILABLE) so that the copy misses none;
// - draining servers: a mirror of the durable list in the namespace database (`tessera
//   decommission`), read through a DrainingLookup at every RefreshDraining() and new tenure.
//   A draining server takes no new replica (PlacementCandidate::draining), its copies are
//   flagged (ReplicaState::draining) and come last among a chunk's readable replicas.
//
// Thread-safety: every method is safe to call from many threads; one mutex (mu_) guards all
// state and is never held across I/O other than logging.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "gen-cpp/tessera_types.h"
#include "master/placement.h"

namespace tessera::master {

// One server's copy of a chunk, as the registry knows it.
struct ReplicaState {
  int64_t server_id = 0;
  int64_t version = 0;
  bool alive = false;
  std::string rack;
  bool draining = false;  // the server is being drained: the copy is moved away, then dropped
};

// The ids of the servers being drained, from durable state (StateMachine::DrainingServerIds).
using DrainingLookup = std::function<Result<std::set<int64_t>>()>;

struct SpaceTotals {
  int64_t total_bytes = 0;
  int64_t free_bytes = 0;
};

class ChunkServerRegistry {
 public:
  // Borrows `clock`, which must outlive the registry. REQUIRES: timeout_ms > 0. Without
  // `draining`, no server is ever draining.
  ChunkServerRegistry(const Clock* clock, int64_t timeout_ms, DrainingLookup draining = nullptr);

  // Adds or replaces a server; its full chunk report replaces what was known of its chunks.
  // REQUIRES: arguments validated (master/request_validation.h).
  void Register(const rpc::ChunkServerInfo& info, const std::vector<rpc::ChunkReport>& chunks);
  // Records a heartbeat and its incremental report, and hands out pending deletions. An unknown
  // server gets reregister = true and nothing else changes.
  rpc::HeartbeatReply Heartbeat(int64_t server_id, const rpc::ChunkServerStats& stats,
                                const std::vector<rpc::ChunkReport>& added,
                                const std::vector<int64_t>& removed);

  // Servers now holding `chunk_id` at `version`, known before any report names them: a new
  // chunk's placement, a finished copy, a version stamp.
  void RecordReplicas(int64_t chunk_id, int64_t version, const std::vector<int64_t>& server_ids);
  // The chunks are gone from the namespace: every server holding one is told to delete it.
  void ScheduleDeletion(const std::vector<int64_t>& chunk_ids);

  // Every chunk id with a known copy on any server (live or not), in no particular order.
  std::vector<int64_t> KnownChunkIds() const;
  // Every known copy of `chunk_id` (live or not, any version), in server id order.
  std::vector<ReplicaState> Replicas(int64_t chunk_id) const;
  // The copy on `server_id` no longer counts, and the server is told to delete it.
  void DeleteReplica(int64_t server_id, int64_t chunk_id);
  // `server_id` has been told (or will be) to delete `chunk_id`: no copy may go there now.
  bool DeletionPending(int64_t server_id, int64_t chunk_id) const;
  // Writes of a fenced chunk wait until it is unfenced (see the file comment).
  void Fence(int64_t chunk_id);
  void Unfence(int64_t chunk_id);
  bool IsFenced(int64_t chunk_id) const;

  std::vector<PlacementCandidate> LivePlacementCandidates() const;
  // Addresses of `server_ids` in the same order; unknown or dead ones are left out.
  std::vector<rpc::ChunkServerAddress> LiveAddresses(const std::vector<int64_t>& server_ids) const;
  // Live servers holding `chunk_id` at `version` or newer, in server id order. A newer copy was
  // stamped for a version whose log entry has not committed (yet, or ever): it holds exactly the
  // data of `version` (ChunkVersionStamper), and chunk servers serve reads naming an older one.
  std::vector<rpc::ChunkServerAddress> LiveReplicas(int64_t chunk_id, int64_t version) const;
  // Whether `server_id` is alive and holds `chunk_id` at exactly `version`.
  bool Holds(int64_t server_id, int64_t chunk_id, int64_t version) const;
  // Whether `server_id` is alive and has room for its chunks to grow: its last heartbeat showed
  // at least a whole chunk free (kMinFreeBytesForChunk), or none has come since it registered.
  bool HasRoom(int64_t server_id) const;
  // Capacity and free space of the live servers that are not draining (statfs).
  SpaceTotals LiveSpace() const;
  std::vector<rpc::ChunkServerStatus> Statuses() const;

  // Whether `server_id` registered during this tenure.
  bool Knows(int64_t server_id) const;
  // Reads the draining servers again (after a decommission request, and periodically). On a
  // read error the last known list stays (logged).
  void RefreshDraining();
  std::set<int64_t> DrainingServers() const;

  // Logs servers that died since the last check (one line each). Called periodically.
  void CheckLiveness();

  // Starts the registry afresh when `term` is a new leadership term of this master: what it
  // knew from an earlier tenure may be stale, so servers must register and report again
  // (they are told so by their next heartbeat). Idempotent within a term.
  void BeginTenure(int64_t term);

 private:
  struct Server {
    rpc::ChunkServerInfo info;
    rpc::ChunkServerStats stats;
    bool stats_known = false;  // a heartbeat brought stats since registration
    int64_t last_heartbeat_ns = 0;
    bool believed_alive = true;  // what the last liveness log line said
    std::unordered_set<int64_t> chunks;
    std::vector<int64_t> pending_deletions;
  };

  bool IsAliveLocked(const Server& server) const;
  rpc::ChunkServerAddress AddressLocked(const Server& server) const;
  void AddReplicaLocked(Server* server, int64_t chunk_id, int64_t version);
  void RemoveReplicaLocked(Server* server, int64_t chunk_id);
  void DropAllReplicasLocked(Server* server);

  const Clock* const clock_;
  const int64_t timeout_ns_;
  const DrainingLookup draining_lookup_;
  mutable std::mutex mu_;  // guards servers_, replicas_, fenced_, draining_ and tenure_term_
  int64_t tenure_term_ = -1;
  std::map<int64_t, Server> servers_;
  std::unordered_map<int64_t, std::map<int64_t, int64_t>> replicas_;  // chunk -> server -> version
  std::unordered_set<int64_t> fenced_;
  std::set<int64_t> draining_;
};

}  // namespace tessera::master
