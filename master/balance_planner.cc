#include "master/balance_planner.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include "master/placement.h"

namespace tessera::master {
namespace {

// Rounding of double sums must not make a balanced cluster look unbalanced.
constexpr double kEpsilon = 1e-9;

struct SimServer {
  int64_t id = 0;
  std::string rack;
  double capacity = 0;
  double used = 0;
  double use() const { return used / capacity; }
};

bool Eligible(const BalanceServer& server) {
  return server.alive && !server.draining && server.capacity_bytes > 0;
}

std::map<int64_t, SimServer> EligibleServers(const std::vector<BalanceServer>& servers) {
  std::map<int64_t, SimServer> eligible;
  for (const BalanceServer& server : servers) {
    if (!Eligible(server)) continue;
    eligible[server.server_id] =
        SimServer{server.server_id, server.rack, static_cast<double>(server.capacity_bytes),
                  static_cast<double>(server.used_bytes)};
  }
  return eligible;
}

BalanceAssessment Assess(const std::map<int64_t, SimServer>& servers, double threshold) {
  BalanceAssessment assessment;
  assessment.eligible_servers = static_cast<int>(servers.size());
  double used = 0;
  double capacity = 0;
  for (const auto& [id, server] : servers) {
    used += server.used;
    capacity += server.capacity;
  }
  if (capacity <= 0) return assessment;
  const double mean = used / capacity;
  assessment.mean_use = mean;
  double excess = 0;
  double shortfall = 0;
  for (const auto& [id, server] : servers) {
    assessment.max_deviation = std::max(assessment.max_deviation, std::abs(server.use() - mean));
    excess += std::max(0.0, server.used - (mean + threshold) * server.capacity);
    shortfall += std::max(0.0, (mean - threshold) * server.capacity - server.used);
  }
  assessment.balanced = assessment.max_deviation <= threshold + kEpsilon;
  assessment.bytes_remaining = static_cast<int64_t>(std::max(excess, shortfall));
  return assessment;
}

std::string Percent(double fraction) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.1f%%", fraction * 100);
  return text;
}

// Servers on the `above` side of the mean, farthest first: beyond the threshold when any is,
// else any on that side.
std::vector<SimServer*> Side(std::map<int64_t, SimServer>& servers, double mean, double threshold,
                             bool above) {
  std::vector<SimServer*> far;
  std::vector<SimServer*> near;
  for (auto& [id, server] : servers) {
    const double off = above ? server.use() - mean : mean - server.use();
    if (off > threshold + kEpsilon) {
      far.push_back(&server);
    } else if (off > kEpsilon) {
      near.push_back(&server);
    }
  }
  std::vector<SimServer*>& side = far.empty() ? near : far;
  std::stable_sort(side.begin(), side.end(), [above](const SimServer* a, const SimServer* b) {
    return above ? a->use() > b->use() : a->use() < b->use();
  });
  return side;
}

struct Candidate {
  size_t chunk = 0;
  bool new_rack = false;
  int64_t bytes = 0;
};

class Planner {
 public:
  Planner(const std::vector<BalanceServer>& servers, const std::vector<BalanceChunk>& chunks,
          const BalanceLimits& limits)
      : servers_(EligibleServers(servers)), chunks_(chunks), limits_(limits) {
    moved_.assign(chunks_.size(), false);
  }

  BalancePlan Run() {
    BalancePlan plan;
    plan.before = Assess(servers_, limits_.threshold);
    const double mean = plan.before.mean_use;
    while (static_cast<int>(plan.moves.size()) < limits_.max_moves) {
      if (Assess(servers_, limits_.threshold).balanced) break;
      std::optional<BalanceMove> move = NextMove(mean);
      if (!move) break;
      plan.moves.push_back(std::move(*move));
    }
    plan.after = Assess(servers_, limits_.threshold);
    return plan;
  }

 private:
  std::optional<BalanceMove> NextMove(double mean) {
    // One at least of the pair must be beyond the threshold, or the move helps nothing.
    std::vector<SimServer*> sources = Side(servers_, mean, limits_.threshold, /*above=*/true);
    std::vector<SimServer*> targets = Side(servers_, mean, limits_.threshold, /*above=*/false);
    for (SimServer* source : sources) {
      for (SimServer* target : targets) {
        const bool helps = source->use() - mean > limits_.threshold + kEpsilon ||
                           mean - target->use() > limits_.threshold + kEpsilon;
        if (!helps) continue;
        std::optional<Candidate> best = BestChunk(*source, *target);
        if (!best) continue;
        BalanceMove move;
        move.chunk = chunks_[best->chunk].chunk;
        move.source = source->id;
        move.target = target->id;
        move.bytes = best->bytes;
        move.why = "server " + std::to_string(source->id) + " at " + Percent(source->use()) +
                   " -> server " + std::to_string(target->id) + " at " + Percent(target->use()) +
                   " (mean " + Percent(mean) + ")" +
                   (best->new_rack ? ", to a rack without a copy" : "");
        source->used -= static_cast<double>(best->bytes);
        target->used += static_cast<double>(best->bytes);
        moved_[best->chunk] = true;
        return move;
      }
    }
    return std::nullopt;
  }

  // The chunk on `source` best moved to `target`, if any may go.
  std::optional<Candidate> BestChunk(const SimServer& source, const SimServer& target) const {
    std::optional<Candidate> best;
    for (size_t i = 0; i < chunks_.size(); ++i) {
      if (moved_[i]) continue;
      std::optional<bool> new_rack = Movable(chunks_[i], source, target);
      if (!new_rack) continue;
      const int64_t bytes = chunks_[i].bytes;
      const double source_after = (source.used - bytes) / source.capacity;
      const double target_after = (target.used + bytes) / target.capacity;
      if (target_after > source_after + kEpsilon) continue;
      if (target.capacity - target.used - bytes < static_cast<double>(kMinFreeBytesForChunk)) {
        continue;
      }
      const Candidate candidate{i, *new_rack, bytes};
      if (!best ||
          std::tie(candidate.new_rack, candidate.bytes) > std::tie(best->new_rack, best->bytes)) {
        best = candidate;
      }
    }
    return best;
  }

  // Whether `chunk` may move from `source` to `target`; if so, whether it reaches a new rack.
  std::optional<bool> Movable(const BalanceChunk& chunk, const SimServer& source,
                              const SimServer& target) const {
    if (chunk.bytes <= 0 || chunk.chunk.goal <= 0) return std::nullopt;
    const int64_t version = chunk.chunk.chunk.version;
    bool on_source = false;
    int staying = 0;
    std::set<std::string> racks_before;
    std::set<std::string> racks_after{target.rack};
    for (const ReplicaState& copy : chunk.replicas) {
      if (copy.server_id == target.id) return std::nullopt;  // one copy per server
      const bool current = copy.alive && copy.version >= version;
      if (!current) continue;
      if (!copy.draining) ++staying;
      racks_before.insert(copy.rack);
      if (copy.server_id == source.id) {
        on_source = true;
      } else {
        racks_after.insert(copy.rack);
      }
    }
    if (!on_source || staying < chunk.chunk.goal) return std::nullopt;
    if (racks_after.size() < racks_before.size()) return std::nullopt;
    return racks_after.size() > racks_before.size();
  }

  std::map<int64_t, SimServer> servers_;
  const std::vector<BalanceChunk>& chunks_;
  const BalanceLimits limits_;
  std::vector<bool> moved_;
};

}  // namespace

BalanceAssessment AssessBalance(const std::vector<BalanceServer>& servers, double threshold) {
  return Assess(EligibleServers(servers), threshold);
}

BalancePlan PlanBalance(const std::vector<BalanceServer>& servers,
                        const std::vector<BalanceChunk>& chunks, const BalanceLimits& limits) {
  return Planner(servers, chunks, limits).Run();
}

}  // namespace tessera::master
