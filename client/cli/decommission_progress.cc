#include "client/cli/decommission_progress.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>
#include <sstream>

#include "client/cli/cluster_status_format.h"

namespace tessera::client::cli {
namespace {

std::string StateWord(const DrainState& state) {
  if (!state.draining) return "in service";
  if (!state.registered) return "draining, not registered with the leader";
  if (!state.alive) return "draining, server down";
  if (DrainDone(state)) return "drained: can be switched off";
  return "draining";
}

std::string Rate(double rate) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.1f", rate);
  return text;
}

}  // namespace

DrainState DrainStateOf(const rpc::ClusterStatus& status, int64_t server_id) {
  DrainState state;
  state.server_id = server_id;
  const auto& ids = status.draining_server_ids;
  state.draining = std::find(ids.begin(), ids.end(), server_id) != ids.end();
  for (const rpc::ChunkServerStatus& server : status.chunk_servers) {
    if (server.info.server_id != server_id) continue;
    state.registered = true;
    state.alive = server.alive;
    state.draining = state.draining || server.draining;
    state.address = server.info.host + ":" + std::to_string(server.info.port);
    state.replicas_left = server.chunks_known;
    state.chunk_files = server.stats.chunk_count;
  }
  return state;
}

std::vector<DrainState> DrainingServers(const rpc::ClusterStatus& status) {
  std::set<int64_t> ids(status.draining_server_ids.begin(), status.draining_server_ids.end());
  for (const rpc::ChunkServerStatus& server : status.chunk_servers) {
    if (server.draining) ids.insert(server.info.server_id);
  }
  std::vector<DrainState> states;
  for (int64_t id : ids) states.push_back(DrainStateOf(status, id));
  return states;
}

bool DrainDone(const DrainState& state) {
  return state.registered && state.alive && state.replicas_left == 0 && state.chunk_files == 0;
}

void DrainProgress::Observe(int64_t now_ms, int64_t replicas_left) {
  // Every drop of the count is progress; a rise (a late chunk report) is not undone progress.
  if (last_left_ >= 0 && replicas_left < last_left_) moved_ += last_left_ - replicas_left;
  last_left_ = replicas_left;
  samples_.emplace_back(now_ms, moved_);
  while (samples_.size() > 2 && samples_.front().first < now_ms - window_ms_) {
    samples_.pop_front();
  }
}

double DrainProgress::rate() const {
  if (samples_.size() < 2) return 0.0;
  const auto& [first_ms, first_moved] = samples_.front();
  const auto& [last_ms, last_moved] = samples_.back();
  if (last_ms <= first_ms) return 0.0;
  return static_cast<double>(last_moved - first_moved) * 1000.0 /
         static_cast<double>(last_ms - first_ms);
}

std::string DrainProgress::Line(const DrainState& state) const {
  std::ostringstream out;
  out << "server " << state.server_id << ": " << state.replicas_left << " replicas left, "
      << moved_ << " moved, " << Rate(rate()) << " replicas/s";
  if (rate() > 0 && state.replicas_left > 0) {
    out << ", about " << static_cast<int64_t>(std::ceil(state.replicas_left / rate()))
        << " s to go";
  }
  if (!state.registered) out << " (waiting for it to register with the master leader)";
  if (state.registered && !state.alive) out << " (server down: nothing can move off it)";
  if (state.registered && state.replicas_left == 0 && state.chunk_files > 0) {
    out << " (waiting for it to delete " << state.chunk_files << " chunk file(s))";
  }
  return out.str();
}

std::string FormatDrainStatusText(const std::vector<DrainState>& servers) {
  if (servers.empty()) return "No chunk server is draining.\n";
  std::ostringstream out;
  out << "Draining chunk servers: " << servers.size() << "\n";
  for (const DrainState& state : servers) {
    out << "  server " << state.server_id
        << (state.address.empty() ? "" : " (" + state.address + ")") << ": "
        << state.replicas_left << " replicas left, " << state.chunk_files
        << " chunk files on disk: " << StateWord(state) << "\n";
  }
  return out.str();
}

std::string FormatDrainStatusJson(const std::vector<DrainState>& servers) {
  std::ostringstream out;
  out << "{\"draining\":[";
  for (size_t i = 0; i < servers.size(); ++i) {
    const DrainState& state = servers[i];
    out << (i ? "," : "") << "{\"server_id\":" << state.server_id
        << ",\"address\":" << JsonString(state.address)
        << ",\"registered\":" << (state.registered ? "true" : "false")
        << ",\"alive\":" << (state.alive ? "true" : "false")
        << ",\"replicas_left\":" << state.replicas_left
        << ",\"chunk_files\":" << state.chunk_files
        << ",\"done\":" << (DrainDone(state) ? "true" : "false") << "}";
  }
  out << "]}\n";
  return out.str();
}

std::string FormatDrainProgressJson(const DrainState& state, const DrainProgress& progress) {
  std::ostringstream out;
  out << "{\"server_id\":" << state.server_id << ",\"replicas_left\":" << state.replicas_left
      << ",\"moved\":" << progress.moved() << ",\"rate_per_s\":" << Rate(progress.rate())
      << ",\"chunk_files\":" << state.chunk_files
      << ",\"alive\":" << (state.alive ? "true" : "false")
      << ",\"done\":" << (DrainDone(state) ? "true" : "false") << "}\n";
  return out.str();
}

}  // namespace tessera::client::cli
