#include "master/master_admin.h"

#include "master/master_statuses.h"

namespace tessera::master {

namespace {

double AsDouble(int64_t value) { return static_cast<double>(value); }
double AsDouble(uint64_t value) { return static_cast<double>(value); }

// One unlabelled read metric per field of a counters struct the daemon keeps.
template <typename Counters, typename Field>
void AddField(MetricsRegistry* registry, const std::string& name, const std::string& help,
              MetricType type, std::function<Counters()> read, Field Counters::*field) {
  registry->AddValueReader(name, help, type, [read, field] { return AsDouble(read().*field); });
}

// A follower's chunk servers (and the masters as the leader sees them) from the leader; its own
// registry holds nothing current. Runs on the admin thread, under no lock.
void ReadChunkServersFromLeader(const MasterAdminSources& sources, MasterAdminView& view) {
  if (sources.leader_view == nullptr || view.group.role == raft::Role::kLeader) return;
  view.chunk_servers.clear();
  view.chunk_server_source = ChunkServerSource::kUnavailable;
  if (view.group.stopped || view.group.leader_id == raft::kNoNode ||
      view.group.leader_address.empty()) {
    return;
  }
  view.leader_report = sources.leader_view->Get(static_cast<int64_t>(view.group.leader_id),
                                                view.group.leader_address);
  if (!view.leader_report->reachable) return;
  view.chunk_server_source = ChunkServerSource::kLeader;
  view.chunk_servers = view.leader_report->cluster.chunk_servers;
  if (!view.leader_report->cluster.masters.empty()) {
    view.masters = view.leader_report->cluster.masters;
  }
}

}  // namespace

std::string ChunkServerSourceName(ChunkServerSource source) {
  switch (source) {
    case ChunkServerSource::kSelf:
      return "self";
    case ChunkServerSource::kLeader:
      return "leader";
    case ChunkServerSource::kUnavailable:
      return "unavailable";
  }
  return "unavailable";
}

std::string ChunkServerState(const rpc::ChunkServerStatus& status) {
  if (status.__isset.draining && status.draining) return "draining";
  return status.alive ? "alive" : "dead";
}

MasterAdminView ReadMasterAdminView(const MasterAdminSources& sources) {
  MasterAdminView view;
  view.group = sources.group->View();
  view.masters = MasterStatuses(view.group);
  // A follower knows who leads but tracks no peers: name the leader rather than show every
  // other voter as a follower.
  for (rpc::MasterStatus& line : view.masters) {
    if (line.id == static_cast<int64_t>(view.group.leader_id) && line.role == "follower") {
      line.role = "leader";
    }
  }
  view.chunk_servers = sources.registry->Statuses();
  view.meta = sources.state->Counters();
  view.replication = sources.replication->counters();
  view.leases = sources.lease_counters();
  view.unlinked = sources.reaper->counters();
  view.balance = sources.balance_status();
  view.uptime_s =
      static_cast<double>(sources.clock->NowMonotonicNanos() - sources.started_ns) / 1e9;
  ReadChunkServersFromLeader(sources, view);
  return view;
}

void RegisterMasterMetrics(const MasterAdminSources& sources, MetricsRegistry* registry) {
  RegisterUptimeMetric(registry, sources.clock, sources.started_ns);
  const MasterGroup* group = sources.group;
  registry->AddValueReader("tessera_raft_term", "current Raft term of this master",
                           MetricType::kGauge, [group] { return AsDouble(group->View().term); });
  registry->AddValueReader("tessera_raft_commit_index", "highest log index known committed",
                           MetricType::kGauge,
                           [group] { return AsDouble(group->View().commit_index); });
  registry->AddValueReader("tessera_raft_applied_index", "highest log index applied here",
                           MetricType::kGauge,
                           [group] { return AsDouble(group->View().applied_index); });
  registry->AddValueReader("tessera_raft_last_index", "last index in this master's log",
                           MetricType::kGauge,
                           [group] { return AsDouble(group->View().last_index); });
  registry->AddValueReader("tessera_raft_leader_id", "Raft id of the known leader (0: none)",
                           MetricType::kGauge,
                           [group] { return AsDouble(group->View().leader_id); });
  registry->AddValueReader(
      "tessera_raft_voters", "voting members of the group", MetricType::kGauge,
      [group] { return static_cast<double>(group->View().membership.voters.size()); });
  registry->AddReader(
      "tessera_raft_role", "1 for this master's current Raft role", MetricType::kGauge, [group] {
        const raft::Role current = group->View().role;
        std::vector<MetricSample> samples;
        for (raft::Role role : {raft::Role::kFollower, raft::Role::kPreCandidate,
                                raft::Role::kCandidate, raft::Role::kLeader}) {
          samples.push_back(
              {{{"role", std::string(raft::RoleName(role))}}, role == current ? 1.0 : 0.0});
        }
        return samples;
      });
  std::function<raft::RaftCounters()> raft_counters = [group] { return group->View().counters; };
  using RC = raft::RaftCounters;
  AddField(registry, "tessera_raft_elections_started_total", "candidacies of this master",
           MetricType::kCounter, raft_counters, &RC::elections_started);
  AddField(registry, "tessera_raft_leaderships_won_total", "elections this master won",
           MetricType::kCounter, raft_counters, &RC::leaderships_won);
  AddField(registry, "tessera_raft_snapshots_sent_total", "snapshots sent to followers",
           MetricType::kCounter, raft_counters, &RC::snapshots_sent);
  AddField(registry, "tessera_raft_snapshots_installed_total", "snapshots installed here",
           MetricType::kCounter, raft_counters, &RC::snapshots_installed);
  AddField(registry, "tessera_raft_compactions_total", "Raft log compactions", MetricType::kCounter,
           raft_counters, &RC::compactions);

  const StateMachine* state = sources.state;
  std::function<MetaCounters()> meta = [state] { return state->Counters(); };
  AddField(registry, "tessera_master_inodes", "inodes in the namespace", MetricType::kGauge, meta,
           &MetaCounters::inode_count);
  AddField(registry, "tessera_master_chunks", "chunks in the namespace", MetricType::kGauge, meta,
           &MetaCounters::chunk_count);

  const ChunkServerRegistry* servers = sources.registry;
  registry->AddReader(
      "tessera_master_chunk_servers", "chunk servers this master knows, by state (leader only)",
      MetricType::kGauge, [servers] {
        std::map<std::string, double> by_state{{"alive", 0}, {"dead", 0}, {"draining", 0}};
        for (const rpc::ChunkServerStatus& status : servers->Statuses()) {
          by_state[ChunkServerState(status)] += 1;
        }
        std::vector<MetricSample> samples;
        for (const auto& [name, count] : by_state) {
          samples.push_back({{{"state", name}}, count});
        }
        return samples;
      });
  registry->AddValueReader(
      "tessera_cluster_capacity_bytes", "capacity of the live chunk servers that are not draining",
      MetricType::kGauge, [servers] { return AsDouble(servers->LiveSpace().total_bytes); });
  registry->AddValueReader(
      "tessera_cluster_free_bytes", "free space of the live chunk servers that are not draining",
      MetricType::kGauge, [servers] { return AsDouble(servers->LiveSpace().free_bytes); });

  const ReplicationManager* replication = sources.replication;
  std::function<ReplicationCounters()> copies = [replication] { return replication->counters(); };
  using RepC = ReplicationCounters;
  AddField(registry, "tessera_replication_queue_length", "chunk copies waiting to start",
           MetricType::kGauge, copies, &RepC::copies_queued);
  AddField(registry, "tessera_replication_copies_started_total", "chunk copies planned",
           MetricType::kCounter, copies, &RepC::copies_started);
  AddField(registry, "tessera_replication_copies_done_total", "re-replications done",
           MetricType::kCounter, copies, &RepC::copies_done);
  AddField(registry, "tessera_replication_copies_failed_total", "chunk copies that failed",
           MetricType::kCounter, copies, &RepC::copies_failed);
  AddField(registry, "tessera_replication_bytes_copied_total", "bytes of finished copies",
           MetricType::kCounter, copies, &RepC::bytes_copied);
  AddField(registry, "tessera_replication_replicas_dropped_total",
           "stale or surplus replicas deleted", MetricType::kCounter, copies,
           &RepC::replicas_dropped);
  AddField(registry, "tessera_chunks_missing", "chunks without any live replica (last scan)",
           MetricType::kGauge, copies, &RepC::chunks_missing);
  AddField(registry, "tessera_chunks_under_goal", "chunks with fewer replicas than their goal",
           MetricType::kGauge, copies, &RepC::chunks_under_goal);
  AddField(registry, "tessera_chunks_over_goal", "chunks with more replicas than their goal",
           MetricType::kGauge, copies, &RepC::chunks_over_goal);
  AddField(registry, "tessera_chunks_draining", "chunks still on a draining server",
           MetricType::kGauge, copies, &RepC::chunks_draining);
  AddField(registry, "tessera_gc_chunks_deleted_total",
           "unreferenced chunks whose replicas were deleted", MetricType::kCounter, copies,
           &RepC::orphans_deleted);
  AddField(registry, "tessera_gc_chunks_waiting", "unreferenced chunks inside their grace",
           MetricType::kGauge, copies, &RepC::orphans_waiting);

  AddField(registry, "tessera_write_leases_granted_total",
           "write leases granted with a new chunk version", MetricType::kCounter,
           sources.lease_counters, &WriteLeaseCounters::granted);
  AddField(registry, "tessera_write_leases_extended_total", "write leases found still valid",
           MetricType::kCounter, sources.lease_counters, &WriteLeaseCounters::extended);

  const UnlinkedInodeReaper* reaper = sources.reaper;
  std::function<UnlinkedInodeCounters()> unlinked = [reaper] { return reaper->counters(); };
  AddField(registry, "tessera_unlinked_inodes_freed_total",
           "unlinked inodes freed after no mount had them open", MetricType::kCounter, unlinked,
           &UnlinkedInodeCounters::inodes_freed);
  AddField(registry, "tessera_unlinked_inodes", "unlinked inodes still open somewhere",
           MetricType::kGauge, unlinked, &UnlinkedInodeCounters::unlinked_inodes);

  using BalC = BalanceCounters;
  AddField(registry, "tessera_balance_moves_done_total", "replicas moved by balancing",
           MetricType::kCounter, sources.balance_counters, &BalC::moves_done);
  AddField(registry, "tessera_balance_moves_failed_total", "replica moves that failed",
           MetricType::kCounter, sources.balance_counters, &BalC::moves_failed);
  AddField(registry, "tessera_balance_bytes_moved_total",
           "bytes moved by balancing (operator's and automatic)", MetricType::kCounter,
           sources.balance_counters, &BalC::bytes_moved);

  if (const LeaderClusterView* leader_view = sources.leader_view; leader_view != nullptr) {
    registry->AddReader("tessera_master_leader_view_fetches_total",
                        "status page and /status reads of the leader's cluster view on a "
                        "follower, by outcome (fetched, failed, cached)",
                        MetricType::kCounter, [leader_view] {
                          const LeaderViewCounters counters = leader_view->counters();
                          return std::vector<MetricSample>{
                              {{{"outcome", "fetched"}}, AsDouble(counters.fetched)},
                              {{{"outcome", "failed"}}, AsDouble(counters.failed)},
                              {{{"outcome", "cached"}}, AsDouble(counters.cached)}};
                        });
  }

  const MountExpiry* expiry = sources.mount_expiry;
  std::function<MountExpiryCounters()> mounts = [expiry] { return expiry->counters(); };
  AddField(registry, "tessera_mounts_expired_total",
           "mounts declared dead (silent past --mount-timeout-ms); their locks were released",
           MetricType::kCounter, mounts, &MountExpiryCounters::expired);
  AddField(registry, "tessera_mounts_expire_failures_total", "expire proposals that failed",
           MetricType::kCounter, mounts, &MountExpiryCounters::expire_failures);
}

AdminRouteHooks MasterAdminHooks(const MasterAdminSources& sources) {
  AdminRouteHooks hooks;
  hooks.status = [sources](JsonWriter& json) {
    const MasterAdminView view = ReadMasterAdminView(sources);
    json.Field("daemon", "master")
        .Field("id", sources.id)
        .Field("address", sources.address)
        .Field("role", std::string(raft::RoleName(view.group.role)))
        .Field("term", static_cast<int64_t>(view.group.term))
        .Field("leader_id", static_cast<int64_t>(view.group.leader_id))
        .Field("leader_address", view.group.leader_address)
        .Field("commit_index", static_cast<int64_t>(view.group.commit_index))
        .Field("applied_index", static_cast<int64_t>(view.group.applied_index))
        .Field("stopped", view.group.stopped)
        .Field("uptime_seconds", view.uptime_s)
        .Field("inodes", view.meta.inode_count)
        .Field("chunks", view.meta.chunk_count);
    json.Key("masters").BeginArray();
    for (const rpc::MasterStatus& master : view.masters) {
      json.BeginObject()
          .Field("id", master.id)
          .Field("address", master.address)
          .Field("role", master.role)
          .Field("voter", master.voter)
          .Field("match_index", master.match_index)
          .EndObject();
    }
    json.EndArray();
    json.Key("chunk_servers").BeginArray();
    for (const rpc::ChunkServerStatus& server : view.chunk_servers) {
      json.BeginObject()
          .Field("server_id", server.info.server_id)
          .Field("address", server.info.host + ":" + std::to_string(server.info.port))
          .Field("rack", server.info.rack)
          .Field("state", ChunkServerState(server))
          .Field("total_bytes", server.stats.total_bytes)
          .Field("free_bytes", server.stats.free_bytes)
          .Field("chunks", server.stats.chunk_count)
          .Field("last_heartbeat_age_ms", server.last_heartbeat_age_ms)
          .EndObject();
    }
    json.EndArray();
    json.Key("chunk_servers_source").BeginObject().Field(
        "from", ChunkServerSourceName(view.chunk_server_source));
    if (view.leader_report) {
      json.Field("leader_id", view.leader_report->leader_id)
          .Field("leader_address", view.leader_report->leader_address)
          .Field("age_ms", view.leader_report->age_ms);
      if (!view.leader_report->reachable) json.Field("error", view.leader_report->error);
    } else if (view.chunk_server_source == ChunkServerSource::kUnavailable) {
      json.Field("error", view.group.stopped ? "this master stopped" : "no leader is known");
    }
    json.EndObject();
    json.Key("replication")
        .BeginObject()
        .Field("queue_length", view.replication.copies_queued)
        .Field("copies_done", view.replication.copies_done)
        .Field("copies_failed", view.replication.copies_failed)
        .Field("chunks_missing", view.replication.chunks_missing)
        .Field("chunks_under_goal", view.replication.chunks_under_goal)
        .Field("chunks_over_goal", view.replication.chunks_over_goal)
        .Field("gc_chunks_deleted", view.replication.orphans_deleted)
        .EndObject();
    json.Field("write_leases_granted", view.leases.granted);
  };
  const MasterGroup* group = sources.group;
  hooks.health = [group] {
    const GroupView view = group->View();
    if (view.stopped) return HealthReport{false, "the Raft node stopped (storage failure)"};
    return HealthReport{true, std::string(raft::RoleName(view.role))};
  };
  return hooks;
}

}  // namespace tessera::master
