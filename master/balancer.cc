#include "master/balancer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <set>

#include "common/logging.h"
#include "common/names.h"

namespace tessera::master {
namespace {

constexpr const char* kComponent = "balance";

int64_t ChunkBytes(int64_t file_size, int64_t chunk_index) {
  return std::clamp<int64_t>(file_size - chunk_index * kChunkSize, 0, kChunkSize);
}

}  // namespace

Balancer::Balancer(BalancerOptions options, CommandLog* log, const StateMachine* state,
                   ChunkServerRegistry* registry, ReplicationManager* replication,
                   const Clock* clock)
    : options_(options),
      log_(log),
      state_(state),
      registry_(registry),
      replication_(replication),
      clock_(clock),
      thread_([this] { Loop(); }) {}

Balancer::~Balancer() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void Balancer::Sync(const std::optional<BalanceRecord>& durable) {
  {
    std::lock_guard lock(mu_);
    SyncLocked(durable);
  }
  wake_.notify_all();
}

void Balancer::SyncLocked(const std::optional<BalanceRecord>& durable) {
  if (!durable) return;  // never started: idle
  if (durable->since_ns != wish_.since_ns) {
    // A new start, or one this master has not taken up yet (it just became leader).
    wish_ = Wish{};
    wish_.state = durable->state;
    wish_.threshold_pct = durable->threshold_pct;
    wish_.bandwidth = durable->bandwidth_bytes_per_sec;
    wish_.since_ns = durable->since_ns;
    wish_.started_ns = clock_->NowMonotonicNanos();
    if (wish_.state == "running") {
      LOG(kInfo, kComponent) << "operator's balance taken up: threshold " << wish_.threshold_pct
                             << " percentage points, bandwidth " << wish_.bandwidth
                             << " bytes/s (0: not capped)";
    }
  } else if (durable->state != wish_.state) {
    LOG(kInfo, kComponent) << "operator's balance " << wish_.state << " -> " << durable->state;
    wish_.state = durable->state;
  }
}

Status Balancer::RecordDone() {
  master_state::SetBalanceCommand done;
  done.state = "done";
  MetaCommand command;
  command.__set_set_balance(done);
  return log_->Propose(std::move(command)).status();
}

rpc::BalanceStatus Balancer::Progress(const std::optional<BalanceRecord>& durable) {
  // The spread as the servers' latest heartbeats give it, not as the last round saw it: before
  // the first round the status would otherwise claim 0% use. The threshold only decides
  // `balanced`, which is not reported. Read before mu_: the registry has its own lock.
  const BalanceAssessment current = AssessBalance(Servers(), 0.10);
  std::lock_guard lock(mu_);
  SyncLocked(durable);
  rpc::BalanceStatus status;
  status.state = wish_.state;
  status.automatic = options_.auto_threshold_pct > 0;
  const bool idle = wish_.state == "idle";
  status.threshold_pct = idle ? options_.auto_threshold_pct : wish_.threshold_pct;
  status.bandwidth_bytes_per_sec = idle ? options_.auto_bandwidth_bytes_per_sec : wish_.bandwidth;
  status.mean_use_pct = current.mean_use * 100;
  status.max_deviation_pct = current.max_deviation * 100;
  status.bytes_moved = wish_.bytes_moved;
  status.bytes_remaining = last_assessment_.bytes_remaining;
  status.moves_done = wish_.moves_done;
  status.moves_failed = wish_.moves_failed;
  status.elapsed_ms = idle ? 0 : (clock_->NowMonotonicNanos() - wish_.started_ns) / 1'000'000;
  status.last_error = wish_.last_error;
  return status;
}

BalanceCounters Balancer::counters() const {
  std::lock_guard lock(mu_);
  return counters_;
}

void Balancer::Loop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    lock.unlock();
    const bool moved = Round();
    lock.lock();
    const int wait_ms = moved ? options_.settle_ms : options_.round_interval_ms;
    // A start wakes an idle balancer at once; after moves it waits for the heartbeats.
    const std::string state_before = wish_.state;
    wake_.wait_for(lock, std::chrono::milliseconds(wait_ms),
                   [&] { return stopping_ || (!moved && wish_.state != state_before); });
  }
}

std::vector<BalanceServer> Balancer::Servers() const {
  const std::set<int64_t> draining = registry_->DrainingServers();
  std::vector<BalanceServer> servers;
  for (const rpc::ChunkServerStatus& status : registry_->Statuses()) {
    BalanceServer server;
    server.server_id = status.info.server_id;
    server.rack = status.info.rack;
    server.capacity_bytes = std::max<int64_t>(0, status.stats.total_bytes);
    server.used_bytes = std::max<int64_t>(0, status.stats.total_bytes - status.stats.free_bytes);
    server.alive = status.alive;
    server.draining = draining.contains(server.server_id);
    servers.push_back(std::move(server));
  }
  return servers;
}

Result<std::vector<BalanceChunk>> Balancer::Chunks() const {
  RETURN_IF_ERROR(log_->ReadBarrier());
  std::vector<BalanceChunk> chunks;
  std::map<int64_t, int64_t> size_of;  // inode -> file size
  Status failed;
  RETURN_IF_ERROR(state_->ForEachChunkOfFile([&](const ChunkOfFile& chunk) {
    if (!failed.ok() || registry_->IsFenced(chunk.chunk.chunk_id)) return;
    auto size = size_of.find(chunk.inode);
    if (size == size_of.end()) {
      Result<rpc::Attr> attr = state_->GetAttr(chunk.inode);
      if (!attr.ok()) {
        failed = attr.status();
        return;
      }
      size = size_of.emplace(chunk.inode, attr->size).first;
    }
    chunks.push_back(BalanceChunk{chunk, ChunkBytes(size->second, chunk.chunk_index),
                                  registry_->Replicas(chunk.chunk.chunk_id)});
  }));
  RETURN_IF_ERROR(failed);
  return chunks;
}

bool Balancer::Round() {
  Result<LeaderTenure> tenure = log_->CheckLeader();
  if (!tenure.ok()) return false;
  if (tenure->since_monotonic_ns != 0 && clock_->NowMonotonicNanos() - tenure->since_monotonic_ns <
                                             int64_t{options_.report_grace_ms} * 1'000'000) {
    return false;  // chunk servers are still reporting to the new leader
  }
  bool automatic = false;
  double threshold_pct = 0;
  int64_t bandwidth = 0;
  if (!log_->ReadBarrier().ok()) return false;
  Result<std::optional<BalanceRecord>> durable = state_->BalanceWish();
  if (!durable.ok()) {
    LOG(kWarning, kComponent) << "cannot read the operator's balance: "
                              << durable.status().ToString();
    return false;
  }
  {
    std::lock_guard lock(mu_);
    SyncLocked(*durable);
    if (wish_.state == "running") {
      threshold_pct = wish_.threshold_pct;
      bandwidth = wish_.bandwidth;
    } else if (options_.auto_threshold_pct > 0) {
      automatic = true;
      threshold_pct = options_.auto_threshold_pct;
      bandwidth = options_.auto_bandwidth_bytes_per_sec;
    }
  }
  const std::vector<BalanceServer> servers = Servers();
  if (threshold_pct == 0) {
    // Nothing to do, but the status still shows how even the servers are.
    const BalanceAssessment assessment = AssessBalance(servers, 0.10);
    std::lock_guard lock(mu_);
    last_assessment_ = assessment;
    return false;
  }
  Result<std::vector<BalanceChunk>> chunks = Chunks();
  if (!chunks.ok()) {
    LOG(kWarning, kComponent) << "cannot read the chunks to balance: "
                              << chunks.status().ToString();
    return false;
  }
  const BalancePlan plan =
      PlanBalance(servers, *chunks, {threshold_pct / 100, options_.max_moves_per_round});
  bool done = false;
  {
    std::lock_guard lock(mu_);
    last_assessment_ = plan.before;
    if (plan.before.balanced || plan.moves.empty()) {
      if (!automatic && wish_.state == "running") {
        if (plan.before.balanced) {
          done = true;
          LOG(kInfo, kComponent) << "balanced: every one of " << plan.before.eligible_servers
                                 << " servers within " << threshold_pct << " points of the mean "
                                 << plan.before.mean_use * 100 << "% (farthest "
                                 << plan.before.max_deviation * 100 << "), " << wish_.bytes_moved
                                 << " bytes moved in " << wish_.moves_done << " moves";
        } else if (wish_.last_error.empty()) {
          wish_.last_error = "no replica can move now (goals, racks or room forbid it)";
          LOG(kWarning, kComponent)
              << "unbalanced (farthest server " << plan.before.max_deviation * 100
              << " points from the mean) but " << wish_.last_error;
        }
      }
      if (!done) return false;
    } else {
      ++counters_.rounds;
      counters_.moves_planned += plan.moves.size();
    }
  }
  if (done) {
    // Logged, so that a new leader does not take the finished balance up again.
    if (Status recorded = RecordDone(); !recorded.ok()) {
      LOG(kWarning, kComponent) << "cannot record that the balance is done (will retry): "
                                << recorded.ToString();
      return false;
    }
    std::lock_guard lock(mu_);
    if (wish_.state == "running") wish_.state = "done";
    return false;
  }

  LOG(kInfo, kComponent) << (automatic ? "automatic" : "operator's")
                         << " balance round: " << plan.moves.size() << " moves planned, mean use "
                         << plan.before.mean_use * 100 << "%, farthest server "
                         << plan.before.max_deviation * 100 << " points off, about "
                         << plan.before.bytes_remaining << " bytes to move";
  const int64_t round_started = clock_->NowMonotonicNanos();
  int64_t paced_bytes = 0;
  bool moved = false;
  for (const BalanceMove& move : plan.moves) {
    {
      std::lock_guard lock(mu_);
      if (stopping_) break;
      // The operator stopped (or started anew): the rest of this plan is not wanted.
      if (automatic ? wish_.state == "running" : wish_.state != "running") break;
    }
    if (!Pace(bandwidth, round_started, paced_bytes)) break;
    const int64_t started = clock_->NowMonotonicNanos();
    Result<int64_t> copied = replication_->MoveReplica(move.chunk, move.source, move.target);
    Record(automatic, move, copied, (clock_->NowMonotonicNanos() - started) / 1'000'000);
    if (copied.ok()) {
      paced_bytes += *copied;
      moved = true;
    }
  }
  return moved;
}

bool Balancer::Pace(int64_t bandwidth, int64_t paced_since_ns, int64_t paced_bytes) {
  std::unique_lock lock(mu_);
  if (bandwidth <= 0) return !stopping_;
  const int64_t due_ns =
      paced_since_ns +
      static_cast<int64_t>(static_cast<double>(paced_bytes) * 1e9 / static_cast<double>(bandwidth));
  const int64_t wait_ns = due_ns - clock_->NowMonotonicNanos();
  if (wait_ns > 0) {
    wake_.wait_for(lock, std::chrono::nanoseconds(wait_ns), [this] { return stopping_; });
  }
  return !stopping_;
}

void Balancer::Record(bool automatic, const BalanceMove& move, const Result<int64_t>& moved,
                      int64_t took_ms) {
  const int64_t chunk_id = move.chunk.chunk.chunk_id;
  if (moved.ok()) {
    LOG(kInfo, kComponent) << "moved chunk " << chunk_id << " (inode " << move.chunk.inode
                           << " index " << move.chunk.chunk_index << ") from server " << move.source
                           << " to server " << move.target << ": " << *moved << " bytes in "
                           << took_ms << " ms; " << move.why;
  } else {
    LOG(kWarning, kComponent) << "could not move chunk " << chunk_id << " from server "
                              << move.source << " to server " << move.target << " after " << took_ms
                              << " ms: " << moved.status().ToString();
  }
  std::lock_guard lock(mu_);
  if (moved.ok()) {
    ++counters_.moves_done;
    counters_.bytes_moved += static_cast<uint64_t>(*moved);
    if (automatic) counters_.auto_bytes_moved += static_cast<uint64_t>(*moved);
  } else {
    ++counters_.moves_failed;
  }
  if (automatic || wish_.state != "running") return;
  if (moved.ok()) {
    ++wish_.moves_done;
    wish_.bytes_moved += *moved;
  } else {
    ++wish_.moves_failed;
    wish_.last_error = "chunk " + std::to_string(chunk_id) + ": " + moved.status().ToString();
  }
}

}  // namespace tessera::master
