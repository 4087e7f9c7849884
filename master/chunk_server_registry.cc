#include "master/chunk_server_registry.h"

#include <algorithm>

#include "common/logging.h"
#include "master/id_list.h"

namespace tessera::master {

ChunkServerRegistry::ChunkServerRegistry(const Clock* clock, int64_t timeout_ms,
                                         DrainingLookup draining)
    : clock_(clock), timeout_ns_(timeout_ms * 1'000'000), draining_lookup_(std::move(draining)) {}

bool ChunkServerRegistry::IsAliveLocked(const Server& server) const {
  return clock_->NowMonotonicNanos() - server.last_heartbeat_ns <= timeout_ns_;
}

rpc::ChunkServerAddress ChunkServerRegistry::AddressLocked(const Server& server) const {
  rpc::ChunkServerAddress address;
  address.server_id = server.info.server_id;
  address.host = server.info.host;
  address.port = server.info.port;
  return address;
}

void ChunkServerRegistry::AddReplicaLocked(Server* server, int64_t chunk_id, int64_t version) {
  server->chunks.insert(chunk_id);
  replicas_[chunk_id][server->info.server_id] = version;
}

void ChunkServerRegistry::RemoveReplicaLocked(Server* server, int64_t chunk_id) {
  server->chunks.erase(chunk_id);
  auto it = replicas_.find(chunk_id);
  if (it == replicas_.end()) return;
  it->second.erase(server->info.server_id);
  if (it->second.empty()) replicas_.erase(it);
}

void ChunkServerRegistry::DropAllReplicasLocked(Server* server) {
  std::vector<int64_t> chunks(server->chunks.begin(), server->chunks.end());
  for (int64_t chunk_id : chunks) RemoveReplicaLocked(server, chunk_id);
}

void ChunkServerRegistry::Register(const rpc::ChunkServerInfo& info,
                                   const std::vector<rpc::ChunkReport>& chunks) {
  std::lock_guard lock(mu_);
  auto [it, is_new] = servers_.try_emplace(info.server_id);
  Server& server = it->second;
  DropAllReplicasLocked(&server);
  server.info = info;
  server.last_heartbeat_ns = clock_->NowMonotonicNanos();
  server.believed_alive = true;
  for (const rpc::ChunkReport& report : chunks) {
    AddReplicaLocked(&server, report.chunk_id, report.version);
  }
  LOG(kInfo, "master") << "chunk server " << info.server_id << " "
                       << (is_new ? "registered" : "re-registered") << " at " << info.host << ":"
                       << info.port << " rack '" << info.rack << "' with " << chunks.size()
                       << " chunk(s)";
}

rpc::HeartbeatReply ChunkServerRegistry::Heartbeat(int64_t server_id,
                                                   const rpc::ChunkServerStats& stats,
                                                   const std::vector<rpc::ChunkReport>& added,
                                                   const std::vector<int64_t>& removed) {
  rpc::HeartbeatReply reply;
  std::lock_guard lock(mu_);
  auto it = servers_.find(server_id);
  if (it == servers_.end()) {
    LOG(kInfo, "master") << "heartbeat from unknown chunk server " << server_id
                         << ": asking it to register";
    reply.reregister = true;
    return reply;
  }
  Server& server = it->second;
  if (!server.believed_alive) {
    LOG(kInfo, "master") << "chunk server " << server_id << " is alive again";
    server.believed_alive = true;
  }
  server.stats = stats;
  server.stats_known = true;
  server.last_heartbeat_ns = clock_->NowMonotonicNanos();
  for (const rpc::ChunkReport& report : added) {
    AddReplicaLocked(&server, report.chunk_id, report.version);
  }
  for (int64_t chunk_id : removed) RemoveReplicaLocked(&server, chunk_id);
  reply.delete_chunks = std::move(server.pending_deletions);
  server.pending_deletions.clear();
  if (!reply.delete_chunks.empty()) {
    LOG(kInfo, "master") << "chunk server " << server_id << " told to delete "
                         << reply.delete_chunks.size() << " chunk(s)";
  }
  return reply;
}

void ChunkServerRegistry::RecordReplicas(int64_t chunk_id, int64_t version,
                                         const std::vector<int64_t>& server_ids) {
  std::lock_guard lock(mu_);
  for (int64_t server_id : server_ids) {
    auto it = servers_.find(server_id);
    if (it != servers_.end()) AddReplicaLocked(&it->second, chunk_id, version);
  }
}

void ChunkServerRegistry::ScheduleDeletion(const std::vector<int64_t>& chunk_ids) {
  std::lock_guard lock(mu_);
  for (int64_t chunk_id : chunk_ids) {
    auto it = replicas_.find(chunk_id);
    if (it == replicas_.end()) continue;
    std::map<int64_t, int64_t> holders = std::move(it->second);
    replicas_.erase(it);
    for (const auto& [server_id, version] : holders) {
      auto server = servers_.find(server_id);
      if (server == servers_.end()) continue;
      server->second.chunks.erase(chunk_id);
      server->second.pending_deletions.push_back(chunk_id);
    }
  }
}

std::vector<int64_t> ChunkServerRegistry::KnownChunkIds() const {
  std::lock_guard lock(mu_);
  std::vector<int64_t> ids;
  ids.reserve(replicas_.size());
  for (const auto& [chunk_id, holders] : replicas_) ids.push_back(chunk_id);
  return ids;
}

std::vector<ReplicaState> ChunkServerRegistry::Replicas(int64_t chunk_id) const {
  std::lock_guard lock(mu_);
  std::vector<ReplicaState> copies;
  auto it = replicas_.find(chunk_id);
  if (it == replicas_.end()) return copies;
  for (const auto& [server_id, version] : it->second) {
    auto server = servers_.find(server_id);
    if (server == servers_.end()) continue;
    copies.push_back({server_id, version, IsAliveLocked(server->second), server->second.info.rack,
                      draining_.contains(server_id)});
  }
  return copies;
}

void ChunkServerRegistry::DeleteReplica(int64_t server_id, int64_t chunk_id) {
  std::lock_guard lock(mu_);
  auto it = servers_.find(server_id);
  if (it == servers_.end()) return;
  RemoveReplicaLocked(&it->second, chunk_id);
  it->second.pending_deletions.push_back(chunk_id);
}

bool ChunkServerRegistry::DeletionPending(int64_t server_id, int64_t chunk_id) const {
  std::lock_guard lock(mu_);
  auto it = servers_.find(server_id);
  if (it == servers_.end()) return false;
  const std::vector<int64_t>& pending = it->second.pending_deletions;
  return std::find(pending.begin(), pending.end(), chunk_id) != pending.end();
}

void ChunkServerRegistry::Fence(int64_t chunk_id) {
  std::lock_guard lock(mu_);
  fenced_.insert(chunk_id);
}

void ChunkServerRegistry::Unfence(int64_t chunk_id) {
  std::lock_guard lock(mu_);
  fenced_.erase(chunk_id);
}

bool ChunkServerRegistry::IsFenced(int64_t chunk_id) const {
  std::lock_guard lock(mu_);
  return fenced_.contains(chunk_id);
}

std::vector<PlacementCandidate> ChunkServerRegistry::LivePlacementCandidates() const {
  std::lock_guard lock(mu_);
  std::vector<PlacementCandidate> candidates;
  for (const auto& [id, server] : servers_) {
    if (!IsAliveLocked(server)) continue;
    candidates.push_back({id, server.info.rack, server.stats.total_bytes, server.stats.free_bytes,
                          server.stats_known, static_cast<int64_t>(server.chunks.size()),
                          draining_.contains(id)});
  }
  return candidates;
}

std::vector<rpc::ChunkServerAddress> ChunkServerRegistry::LiveAddresses(
    const std::vector<int64_t>& server_ids) const {
  std::lock_guard lock(mu_);
  std::vector<rpc::ChunkServerAddress> addresses;
  for (int64_t server_id : server_ids) {
    auto it = servers_.find(server_id);
    if (it != servers_.end() && IsAliveLocked(it->second)) {
      addresses.push_back(AddressLocked(it->second));
    }
  }
  return addresses;
}

std::vector<rpc::ChunkServerAddress> ChunkServerRegistry::LiveReplicas(int64_t chunk_id,
                                                                       int64_t version) const {
  std::lock_guard lock(mu_);
  std::vector<rpc::ChunkServerAddress> addresses;
  auto it = replicas_.find(chunk_id);
  if (it == replicas_.end()) return addresses;
  std::vector<rpc::ChunkServerAddress> draining;  // readable, but last: they are going away
  for (const auto& [server_id, replica_version] : it->second) {
    if (replica_version < version) continue;  // stale; a newer one is a stamp not yet logged
    auto server = servers_.find(server_id);
    if (server != servers_.end() && IsAliveLocked(server->second)) {
      (draining_.contains(server_id) ? draining : addresses)
          .push_back(AddressLocked(server->second));
    }
  }
  addresses.insert(addresses.end(), draining.begin(), draining.end());
  return addresses;
}

bool ChunkServerRegistry::Holds(int64_t server_id, int64_t chunk_id, int64_t version) const {
  std::lock_guard lock(mu_);
  auto chunk = replicas_.find(chunk_id);
  if (chunk == replicas_.end()) return false;
  auto copy = chunk->second.find(server_id);
  if (copy == chunk->second.end() || copy->second != version) return false;
  auto server = servers_.find(server_id);
  return server != servers_.end() && IsAliveLocked(server->second);
}

bool ChunkServerRegistry::HasRoom(int64_t server_id) const {
  std::lock_guard lock(mu_);
  auto server = servers_.find(server_id);
  if (server == servers_.end() || !IsAliveLocked(server->second)) return false;
  return !server->second.stats_known ||
         server->second.stats.free_bytes >= kMinFreeBytesForChunk;
}

SpaceTotals ChunkServerRegistry::LiveSpace() const {
  std::lock_guard lock(mu_);
  SpaceTotals totals;
  for (const auto& [id, server] : servers_) {
    // A draining server's space is leaving the cluster: statfs must not promise it.
    if (!IsAliveLocked(server) || draining_.contains(id)) continue;
    totals.total_bytes += server.stats.total_bytes;
    totals.free_bytes += server.stats.free_bytes;
  }
  return totals;
}

std::vector<rpc::ChunkServerStatus> ChunkServerRegistry::Statuses() const {
  std::lock_guard lock(mu_);
  int64_t now = clock_->NowMonotonicNanos();
  std::vector<rpc::ChunkServerStatus> statuses;
  for (const auto& [id, server] : servers_) {
    rpc::ChunkServerStatus status;
    status.info = server.info;
    status.stats = server.stats;
    status.alive = IsAliveLocked(server);
    status.last_heartbeat_age_ms = (now - server.last_heartbeat_ns) / 1'000'000;
    status.__set_draining(draining_.contains(id));
    status.__set_chunks_known(static_cast<int64_t>(server.chunks.size()));
    statuses.push_back(std::move(status));
  }
  return statuses;
}

bool ChunkServerRegistry::Knows(int64_t server_id) const {
  std::lock_guard lock(mu_);
  return servers_.contains(server_id);
}

void ChunkServerRegistry::RefreshDraining() {
  if (!draining_lookup_) return;
  Result<std::set<int64_t>> draining = draining_lookup_();  // reads the database: not under mu_
  if (!draining.ok()) {
    LOG(kError, "master") << "cannot read the draining chunk servers, keeping the last list: "
                          << draining.status().ToString();
    return;
  }
  std::lock_guard lock(mu_);
  if (*draining != draining_) {
    const std::vector<int64_t> ids(draining->begin(), draining->end());
    LOG(kInfo, "master") << "draining chunk servers now: "
                         << (ids.empty() ? std::string("none") : JoinIds(ids));
  }
  draining_ = std::move(*draining);
}

std::set<int64_t> ChunkServerRegistry::DrainingServers() const {
  std::lock_guard lock(mu_);
  return draining_;
}

void ChunkServerRegistry::CheckLiveness() {
  std::lock_guard lock(mu_);
  for (auto& [id, server] : servers_) {
    if (server.believed_alive && !IsAliveLocked(server)) {
      server.believed_alive = false;
      LOG(kWarning, "master") << "chunk server " << id << " at " << server.info.host << ":"
                              << server.info.port << " is dead (no heartbeat for "
                              << timeout_ns_ / 1'000'000 << " ms)";
    }
  }
}

void ChunkServerRegistry::BeginTenure(int64_t term) {
  {
    std::lock_guard lock(mu_);
    if (term == tenure_term_) return;
  }
  RefreshDraining();
  std::lock_guard lock(mu_);
  if (term == tenure_term_) return;
  if (!servers_.empty()) {
    LOG(kInfo, "master") << "leadership term " << term << ": forgetting " << servers_.size()
                         << " chunk server(s) of an earlier tenure until they register again";
  }
  servers_.clear();
  replicas_.clear();
  fenced_.clear();
  tenure_term_ = term;
}

}  // namespace tessera::master
