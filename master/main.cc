// tessera-master: one master of the Raft-replicated metadata service.
#include <signal.h>

#include <cerrno>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <system_error>

#include "common/admin_routes.h"
#include "common/clock.h"
#include "common/http_admin_server.h"
#include "common/metrics.h"
#include "common/rpc_metrics.h"
#include "common/logging.h"
#include "common/shutdown_signals.h"
#include "common/names.h"
#include "common/rpc_server.h"
#include "gen-cpp/MasterService.h"
#include "master/balancer.h"
#include "master/chunk_server_registry.h"
#include "master/leader_cluster_view.h"
#include "master/master_admin.h"
#include "master/master_options.h"
#include "master/master_service.h"
#include "master/meta_directory.h"
#include "master/mount_expiry.h"
#include "master/namespace_replica.h"
#include "master/raft_log_store.h"
#include "master/raft_transport.h"
#include "master/replicated_log.h"
#include "master/replication_manager.h"
#include "master/state_machine.h"
#include "master/status_page.h"
#include "master/unlinked_inode_reaper.h"

namespace tessera::master {
namespace {

constexpr int kRootMode = 0755;
constexpr const char* kComponent = "master";

// The first command of every new leader: the root directory when the namespace has none yet,
// so that it enters the log before any client's request (ReplicatedLogOptions).
std::optional<MetaCommand> RootIfMissing(const StateMachine& state) {
  Result<rpc::Attr> root = state.GetAttr(kRootInode);
  if (root.ok() || root.status().code() != StatusCode::kNotFound) return std::nullopt;
  LOG(kInfo, kComponent) << "the namespace has no root directory yet: creating it";
  MetaCommand command;
  master_state::InitRootCommand init;
  init.mode = kRootMode;
  command.__set_init_root(init);
  return command;
}

// Waits for SIGTERM or SIGINT (blocked in every thread), doing the periodic chores meanwhile.
// Returns the signal, or 0 when the Raft node stopped for good (a storage failure).
int WaitForShutdown(const sigset_t& signals, ChunkServerRegistry* registry,
                    const ReplicatedLog& log) {
  while (true) {
    timespec interval{0, 200'000'000};
    int signal = sigtimedwait(&signals, nullptr, &interval);
    if (signal > 0) return signal;
    if (log.Stopped()) return 0;
    registry->CheckLiveness();
  }
}

raft::RaftConfig RaftConfigFrom(const MasterOptions& options) {
  raft::RaftConfig config;
  config.heartbeat_ticks = options.heartbeat_ms / options.raft_tick_ms;
  config.election_timeout_ticks = options.election_timeout_ms / options.raft_tick_ms;
  config.compaction_threshold_entries = options.snapshot_entries;
  return config;
}

// Writes the founding configuration into a new Raft log; a log that has any state is left
// alone (the flags that found a group are read only once).
Status BootstrapIfNew(const MasterOptions& options, RaftLogStore* storage,
                      const StateMachine& state) {
  if (options.join) return Status::Ok();
  raft::Membership founding;
  if (options.peers.empty()) {
    founding.voters.push_back({options.id, options.advertise.ToString()});
  } else {
    for (const FoundingMember& member : options.peers) {
      founding.voters.push_back({member.id, member.address.ToString()});
    }
  }
  Status bootstrapped = raft::RaftCore::Bootstrap(storage, founding);
  if (bootstrapped.code() == StatusCode::kAlreadyExists) return Status::Ok();
  RETURN_IF_ERROR(bootstrapped);
  if (state.Counters().applied_index > 0) {
    return Status::InvalidArgument(
        "the metadata database already holds entries but the Raft log is new: this data "
        "directory was not written by a replicated master");
  }
  LOG(kInfo, kComponent) << "founded a Raft group of " << founding.voters.size()
                         << " master(s)";
  return Status::Ok();
}

int Run(const MasterOptions& options) {
  std::error_code error;
  std::filesystem::create_directories(options.data_dir, error);
  if (error) {
    LOG(kError, kComponent) << "cannot create --data-dir " << options.data_dir << ": "
                            << error.message();
    return 1;
  }
  Result<MetaDirectory> directory = MetaDirectory::Open(options.data_dir);
  if (!directory.ok()) {
    LOG(kError, kComponent) << "cannot open the metadata directories in " << options.data_dir
                            << ": " << directory.status().ToString();
    return 1;
  }
  Result<std::unique_ptr<StateMachine>> state = StateMachine::Open(directory->LivePath(), {});
  if (!state.ok()) {
    LOG(kError, kComponent) << "cannot open metadata in " << directory->LivePath() << ": "
                            << state.status().ToString();
    return 1;
  }
  const std::string raft_dir = (std::filesystem::path(options.data_dir) / "raft").string();
  Result<std::unique_ptr<RaftLogStore>> raft_log = RaftLogStore::Open(raft_dir);
  if (!raft_log.ok()) {
    LOG(kError, kComponent) << "cannot open the Raft log in " << raft_dir << ": "
                            << raft_log.status().ToString();
    return 1;
  }
  if (Status founded = BootstrapIfNew(options, raft_log->get(), **state); !founded.ok()) {
    LOG(kError, kComponent) << "cannot found the Raft group: " << founded.ToString();
    return 1;
  }

  SystemClock clock;
  RaftTransport transport(RaftTransportOptions{.self_address = options.advertise.ToString()});
  NamespaceReplica replica(state->get(), &*directory);
  ReplicatedLogOptions log_options;
  log_options.id = options.id;
  log_options.raft = RaftConfigFrom(options);
  log_options.tick_ms = options.raft_tick_ms;
  const StateMachine& namespace_state = **state;
  log_options.leader_first_command = [&namespace_state] { return RootIfMissing(namespace_state); };
  Result<std::unique_ptr<ReplicatedLog>> log = ReplicatedLog::Start(
      log_options, raft_log->get(), &replica, &transport, state->get(), &clock);
  if (!log.ok()) {
    LOG(kError, kComponent) << "cannot start the Raft node: " << log.status().ToString();
    return 1;
  }

  ChunkServerRegistry registry(&clock, options.chunkserver_timeout_ms,
                               [&namespace_state] { return namespace_state.DrainingServerIds(); });
  MasterServiceOptions service_options;
  service_options.default_goal = options.default_goal;
  service_options.advertised_address = options.advertise.ToString();
  service_options.write_lease_ms = options.write_lease_ms;
  service_options.open_file_grace_ms = options.open_file_grace_ms;
  service_options.mount_timeout_ms = options.mount_timeout_ms;
  auto handler = std::make_shared<MasterServiceHandler>(service_options, log->get(), state->get(),
                                                        &registry, log->get(), &clock);
  ReplicationManagerOptions replication_options;
  replication_options.report_grace_ms = service_options.report_grace_ms;
  replication_options.gc_grace_ms = options.gc_grace_ms;
  auto replication = std::make_unique<ReplicationManager>(replication_options, log->get(),
                                                         state->get(), &registry, &clock);
  BalancerOptions balancer_options;
  balancer_options.report_grace_ms = service_options.report_grace_ms;
  balancer_options.auto_threshold_pct = options.auto_balance_threshold_pct;
  balancer_options.auto_bandwidth_bytes_per_sec =
      static_cast<int64_t>(options.auto_balance_mbps * 1e6);
  auto balancer = std::make_unique<Balancer>(balancer_options, log->get(), state->get(),
                                             &registry, replication.get(), &clock);
  handler->AttachBalancer(balancer.get());
  auto unlinked_reaper = std::make_unique<UnlinkedInodeReaper>(
      UnlinkedInodeReaperOptions{}, log->get(), state->get(), &handler->open_files());
  // Ten checks per timeout: a dead mount's locks are free within 1.1 timeouts.
  auto mount_expiry = std::make_unique<MountExpiry>(log->get(), state->get(),
                                                    handler->mount_liveness(),
                                                    options.mount_timeout_ms / 10);
  MetricsRegistry metrics;
  auto processor_factory = InstrumentProcessors(
      std::make_shared<rpc::MasterServiceProcessorFactory>(
          std::make_shared<rpc::MasterServiceIfSingletonFactory>(handler)),
      &metrics, &clock);
  RpcServer server(processor_factory, options.listen);
  if (Status started = server.Start(); !started.ok()) {
    LOG(kError, kComponent) << "cannot listen on " << options.listen.ToString() << ": "
                            << started.ToString();
    return 1;
  }
  // A follower's status page asks the leader for the chunk servers; short timeouts, since the
  // page waits for the answer (the admin port's one thread, never under a lock).
  constexpr int kLeaderViewTimeoutMs = 500;
  LeaderClusterView leader_view(NewThriftLeaderFetch(kLeaderViewTimeoutMs), &clock);
  MasterAdminSources admin_sources{
      .address = options.advertise.ToString(),
      .id = static_cast<int64_t>(options.id),
      .group = log->get(),
      .state = state->get(),
      .registry = &registry,
      .replication = replication.get(),
      .lease_counters = [&handler] { return handler->lease_counters(); },
      .reaper = unlinked_reaper.get(),
      .mount_expiry = mount_expiry.get(),
      .balance_status = [machine = state->get(), &balancer]() -> std::optional<rpc::BalanceStatus> {
        Result<std::optional<BalanceRecord>> durable = machine->BalanceWish();
        if (!durable.ok()) return std::nullopt;
        return balancer->Progress(*durable);
      },
      .balance_counters = [&balancer] { return balancer->counters(); },
      .clock = &clock,
      .started_ns = clock.NowMonotonicNanos(),
      .leader_view = &leader_view};
  RegisterMasterMetrics(admin_sources, &metrics);
  std::unique_ptr<HttpAdminServer> admin;
  if (options.admin_port != 0) {
    admin = std::make_unique<HttpAdminServer>(HostPort{options.listen.host, options.admin_port});
    AddStandardAdminRoutes(admin.get(), &metrics, MasterAdminHooks(admin_sources));
    admin->AddRoute("/", [admin_sources](const HttpRequest&) {
      HttpResponse page;
      page.content_type = "text/html; charset=utf-8";
      page.body = RenderStatusPage(ReadMasterAdminView(admin_sources), admin_sources.address);
      return page;
    });
    if (Status started = admin->Start(); !started.ok()) {
      LOG(kError, kComponent) << "cannot serve the admin port " << options.admin_port << ": "
                              << started.ToString();
      return 1;
    }
  }
  MetaCounters counters = (*state)->Counters();
  LOG(kInfo, kComponent) << "master " << options.id << " ready on " << options.listen.ToString()
                         << " (data " << options.data_dir << ", applied index "
                         << counters.applied_index << ", " << counters.inode_count << " inodes, "
                         << counters.chunk_count << " chunks, default goal "
                         << options.default_goal << ")";

  int signal = WaitForShutdown(ShutdownSignals(), &registry, **log);
  if (signal == 0) {
    LOG(kError, kComponent) << "the Raft node stopped after a storage failure: exiting";
  } else {
    LOG(kInfo, kComponent) << "signal " << signal << ": shutting down";
  }
  if (admin) admin->Stop();  // it reads everything below: stop it first
  server.Stop();
  handler->AttachBalancer(nullptr);  // the server stopped: no call uses it any more
  balancer.reset();     // it moves through the replication manager: stop it first
  replication.reset();  // it proposes through the log: stop it first
  unlinked_reaper.reset();  // so does it
  mount_expiry.reset();
  log->reset();
  LOG(kInfo, kComponent) << "stopped";
  return signal == 0 ? 1 : 0;
}

}  // namespace
}  // namespace tessera::master

int main(int argc, char** argv) {
  using namespace tessera;
  Result<master::MasterOptions> options = master::ParseMasterOptions(argc, argv);
  if (!options.ok()) {
    std::cerr << "tessera-master: " << options.status().message() << "\n" << master::MasterUsage();
    return 2;
  }
  if (options->help_requested) {
    std::cout << master::MasterUsage();
    return 0;
  }
  SetLogLevel(options->log_level);
  BlockShutdownSignals();  // before any thread starts; WaitForShutdown takes them
  return master::Run(*options);
}
