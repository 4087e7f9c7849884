#include "master/leader_cluster_view.h"

#include <memory>
#include <utility>

#include "common/logging.h"
#include "common/rpc_client.h"
#include "gen-cpp/MasterService.h"

namespace tessera::master {

namespace {
constexpr char kComponent[] = "master";
}  // namespace

LeaderClusterView::LeaderClusterView(Fetch fetch, const Clock* clock, int64_t max_age_ms)
    : fetch_(std::move(fetch)), clock_(clock), max_age_ms_(max_age_ms) {}

LeaderReport LeaderClusterView::Get(int64_t leader_id, const std::string& leader_address) {
  const int64_t now_ns = clock_->NowMonotonicNanos();
  {
    std::lock_guard lock(mu_);
    if (kept_ && kept_->leader_id == leader_id && kept_->leader_address == leader_address &&
        now_ns - kept_at_ns_ < max_age_ms_ * 1'000'000) {
      ++counters_.cached;
      LeaderReport report = *kept_;
      report.age_ms = (now_ns - kept_at_ns_) / 1'000'000;
      return report;
    }
  }

  LeaderReport report;
  report.leader_id = leader_id;
  report.leader_address = leader_address;
  Result<HostPort> address = ParseHostPort(leader_address);
  Result<rpc::ClusterStatus> cluster =
      address.ok() ? fetch_(*address)
                   : Result<rpc::ClusterStatus>(Status::InvalidArgument(
                         "leader address '" + leader_address + "': " + address.status().message()));
  report.reachable = cluster.ok();
  if (cluster.ok()) {
    report.cluster = std::move(cluster).value();
  } else {
    report.error = cluster.status().ToString();
  }

  std::lock_guard lock(mu_);
  const bool was_reachable = kept_ && kept_->leader_id == leader_id && kept_->reachable;
  if (report.reachable) {
    ++counters_.fetched;
    if (!was_reachable) {
      LOG(kInfo, kComponent) << "status page: showing the chunk servers as leader m" << leader_id
                             << " at " << leader_address << " reports them ("
                             << report.cluster.chunk_servers.size() << " servers)";
    }
  } else {
    ++counters_.failed;
    if (was_reachable || !kept_ || kept_->leader_id != leader_id) {
      LOG(kWarning, kComponent) << "status page: leader m" << leader_id << " at " << leader_address
                                << " did not give its cluster view (" << report.error
                                << "); chunk servers shown as unknown";
    }
  }
  kept_ = report;
  kept_at_ns_ = now_ns;
  return report;
}

LeaderViewCounters LeaderClusterView::counters() const {
  std::lock_guard lock(mu_);
  return counters_;
}

LeaderClusterView::Fetch NewThriftLeaderFetch(int timeout_ms) {
  RpcClientOptions options;
  options.connect_timeout_ms = timeout_ms;
  options.io_timeout_ms = timeout_ms;
  options.max_idle_per_address = 1;
  auto pool = std::make_shared<RpcClientPool<rpc::MasterServiceClient>>(options);
  return [pool](const HostPort& leader) -> Result<rpc::ClusterStatus> {
    rpc::ClusterStatus cluster;
    RpcOutcome outcome = pool->Call(
        leader, [&](rpc::MasterServiceClient& client) { client.clusterStatus(cluster); });
    RETURN_IF_ERROR(outcome.status);
    return cluster;
  };
}

}  // namespace tessera::master
