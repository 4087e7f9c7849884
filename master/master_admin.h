// The master's admin port: its metrics, its /status object, its /healthz verdict and the data of
// its HTML status page, read from the master's own objects (no quorum read: a page must show
// something even while the group has no leader). One exception: a follower's chunk servers
// come from the leader (leader_cluster_view.h), because they report to the leader only; when
// the leader cannot be asked the view says so instead of showing an empty cluster.
//
// Ownership: MasterAdminSources borrows; everything it points to must outlive the registry's
// and the admin server's last use. Thread-safety: every function may run on the admin server's
// thread while the master serves; the sources are thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/admin_routes.h"
#include "common/metrics.h"
#include "gen-cpp/tessera_types.h"
#include "master/balancer.h"
#include "master/chunk_server_registry.h"
#include "master/leader_cluster_view.h"
#include "master/master_group.h"
#include "master/mount_expiry.h"
#include "master/replication_manager.h"
#include "master/state_machine.h"
#include "master/unlinked_inode_reaper.h"
#include "master/write_leases.h"

namespace tessera::master {

struct MasterAdminSources {
  std::string address;  // advertised RPC address
  int64_t id = 0;
  const MasterGroup* group = nullptr;
  const StateMachine* state = nullptr;
  const ChunkServerRegistry* registry = nullptr;
  const ReplicationManager* replication = nullptr;
  std::function<WriteLeaseCounters()> lease_counters;
  const UnlinkedInodeReaper* reaper = nullptr;
  const MountExpiry* mount_expiry = nullptr;
  // The balance's progress as this master sees it (no read barrier: the page must show something
  // without a quorum); nullopt when it cannot be read.
  std::function<std::optional<rpc::BalanceStatus>()> balance_status;
  std::function<BalanceCounters()> balance_counters;
  const Clock* clock = nullptr;
  int64_t started_ns = 0;  // monotonic
  // Where a follower gets the chunk servers from; null: its own registry, whatever it holds.
  LeaderClusterView* leader_view = nullptr;
};

// Where MasterAdminView::chunk_servers come from.
enum class ChunkServerSource {
  kSelf,         // this master's registry: it leads (or no leader_view was given)
  kLeader,       // the leader's clusterStatus answer (leader_report says which and when)
  kUnavailable,  // a follower that could not ask the leader: the chunk servers are unknown
};

// Everything the status page and /status show, read once.
struct MasterAdminView {
  GroupView group;
  std::vector<rpc::MasterStatus> masters;  // the leader marked as such even on a follower
  std::vector<rpc::ChunkServerStatus> chunk_servers;
  MetaCounters meta;
  ReplicationCounters replication;
  WriteLeaseCounters leases;
  UnlinkedInodeCounters unlinked;
  std::optional<rpc::BalanceStatus> balance;
  double uptime_s = 0;
  ChunkServerSource chunk_server_source = ChunkServerSource::kSelf;
  // Set when a follower asked its leader (chunk_server_source kLeader or kUnavailable).
  std::optional<LeaderReport> leader_report;
};

MasterAdminView ReadMasterAdminView(const MasterAdminSources& sources);

// tessera_raft_*, tessera_master_*, tessera_cluster_*, tessera_replication_*, tessera_gc_*,
// tessera_write_leases_*, tessera_unlinked_*, tessera_balance_*, tessera_mounts_* (README,
// "Admin port").
void RegisterMasterMetrics(const MasterAdminSources& sources, MetricsRegistry* registry);

// /status and /healthz of a master: 503 once the Raft node stopped (storage failure).
AdminRouteHooks MasterAdminHooks(const MasterAdminSources& sources);

// "self", "leader" or "unavailable" (the /status field chunk_servers_source.from).
std::string ChunkServerSourceName(ChunkServerSource source);

// "alive", "dead" or "draining".
std::string ChunkServerState(const rpc::ChunkServerStatus& status);

}  // namespace tessera::master
