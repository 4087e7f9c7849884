#include "client/cli/cluster_status_format.h"

#include "common/json_writer.h"

#include <algorithm>
#include <cstdio>
#include <sstream>
#include <vector>

namespace tessera::client::cli {
namespace {

std::string AddressOf(const rpc::ChunkServerInfo& info) {
  return info.host + ":" + std::to_string(info.port);
}

int64_t UsedBytes(const rpc::ChunkServerStats& stats) {
  return std::max<int64_t>(0, stats.total_bytes - stats.free_bytes);
}

// "2 ok" or "1 ok, 1 failed": the data directories a chunk server last reported.
std::string DisksText(const rpc::ChunkServerStats& stats) {
  std::string text = std::to_string(stats.data_dirs_ok) + " ok";
  if (stats.data_dirs_failed > 0) text += ", " + std::to_string(stats.data_dirs_failed) + " failed";
  return text;
}

// Left-aligned columns, two spaces apart.
std::string Table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()), 0);
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line = "  ";
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(widths[i] - row[i].size() + 2, ' ');
    }
    out += line + "\n";
  }
  return out;
}

}  // namespace

std::string HumanBytes(int64_t bytes) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  if (bytes < 1024) return std::to_string(bytes) + " B";
  double value = static_cast<double>(bytes);
  size_t unit = 0;
  while (value >= 1024 && unit + 1 < std::size(kUnits)) {
    value /= 1024;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof(text), "%.1f %s", value, kUnits[unit]);
  return text;
}

std::string JsonString(const std::string& text) { return JsonQuote(text); }

std::string FormatMastersText(const std::vector<rpc::MasterStatus>& masters) {
  std::vector<std::vector<std::string>> rows = {
      {"ID", "ADDRESS", "ROLE", "VOTER", "TERM", "LAST INDEX"}};
  for (const auto& master : masters) {
    rows.push_back({std::to_string(master.id), master.address, master.role,
                    master.voter ? "yes" : "no", std::to_string(master.term),
                    std::to_string(master.match_index)});
  }
  return Table(rows);
}

std::string FormatMastersJson(const std::vector<rpc::MasterStatus>& masters) {
  std::ostringstream out;
  out << "[";
  for (size_t i = 0; i < masters.size(); ++i) {
    const auto& master = masters[i];
    out << (i ? "," : "") << "{\"id\":" << master.id << ",\"address\":" << JsonString(master.address)
        << ",\"role\":" << JsonString(master.role)
        << ",\"voter\":" << (master.voter ? "true" : "false") << ",\"term\":" << master.term
        << ",\"match_index\":" << master.match_index
        << ",\"applied_index\":" << master.applied_index
        << ",\"commit_index\":" << master.commit_index
        << ",\"last_index\":" << master.last_index << "}";
  }
  out << "]";
  return out.str();
}

ClusterHealth AssessHealth(const rpc::ClusterStatus& status) {
  ClusterHealth health;
  for (const auto& master : status.masters) {
    if (master.role == "unreachable") {
      health.problems.push_back("master " + std::to_string(master.id) + " (" + master.address +
                                ") is unreachable");
    }
  }
  for (const auto& server : status.chunk_servers) {
    const std::string name =
        "chunk server " + std::to_string(server.info.server_id) + " (" + AddressOf(server.info) + ")";
    if (!server.alive) {
      health.problems.push_back(name + " is dead");
    } else if (server.stats.data_dirs_failed > 0) {
      health.problems.push_back(name + " has " + std::to_string(server.stats.data_dirs_failed) +
                                " failed data directories");
    }
  }
  if (status.chunk_servers.empty()) health.problems.push_back("no chunk server is registered");
  health.healthy = health.problems.empty();
  return health;
}

std::string FormatClusterStatusText(const rpc::ClusterStatus& status) {
  std::ostringstream out;
  out << "Masters: " << status.masters.size() << "\n" << FormatMastersText(status.masters);

  int alive =
      static_cast<int>(std::count_if(status.chunk_servers.begin(), status.chunk_servers.end(),
                                     [](const auto& server) { return server.alive; }));
  out << "Chunk servers: " << status.chunk_servers.size() << " (" << alive << " alive)\n";
  if (!status.chunk_servers.empty()) {
    std::vector<std::vector<std::string>> servers = {
        {"ID", "ADDRESS", "RACK", "ALIVE", "CAPACITY", "USED", "FREE", "CHUNKS", "LOAD",
         "DISKS", "STATE"}};
    for (const auto& server : status.chunk_servers) {
      servers.push_back({std::to_string(server.info.server_id), AddressOf(server.info),
                         server.info.rack.empty() ? "-" : server.info.rack,
                         server.alive ? "yes" : "no", HumanBytes(server.stats.total_bytes),
                         HumanBytes(UsedBytes(server.stats)), HumanBytes(server.stats.free_bytes),
                         std::to_string(server.stats.chunk_count),
                         std::to_string(server.stats.active_requests), DisksText(server.stats),
                         server.draining ? "draining" : "in service"});
    }
    out << Table(servers);
  }
  out << "Inodes: " << status.inode_count << "  Chunks: " << status.chunk_count << "\n";
  const ClusterHealth health = AssessHealth(status);
  out << "Health: " << (health.healthy ? "HEALTHY" : "DEGRADED") << "\n";
  for (const std::string& problem : health.problems) out << "  " << problem << "\n";
  return out.str();
}

std::string FormatClusterStatusJson(const rpc::ClusterStatus& status) {
  std::ostringstream out;
  out << "{\"masters\":" << FormatMastersJson(status.masters) << ",\"chunk_servers\":[";
  for (size_t i = 0; i < status.chunk_servers.size(); ++i) {
    const auto& server = status.chunk_servers[i];
    out << (i ? "," : "") << "{\"server_id\":" << server.info.server_id
        << ",\"address\":" << JsonString(AddressOf(server.info))
        << ",\"rack\":" << JsonString(server.info.rack)
        << ",\"alive\":" << (server.alive ? "true" : "false")
        << ",\"capacity_bytes\":" << server.stats.total_bytes
        << ",\"used_bytes\":" << UsedBytes(server.stats)
        << ",\"free_bytes\":" << server.stats.free_bytes
        << ",\"chunks\":" << server.stats.chunk_count
        << ",\"chunks_known\":" << server.chunks_known
        << ",\"active_requests\":" << server.stats.active_requests
        << ",\"draining\":" << (server.draining ? "true" : "false")
        << ",\"data_dirs_ok\":" << server.stats.data_dirs_ok
        << ",\"data_dirs_failed\":" << server.stats.data_dirs_failed
        << ",\"last_heartbeat_age_ms\":" << server.last_heartbeat_age_ms << "}";
  }
  out << "],\"draining_server_ids\":[";
  for (size_t i = 0; i < status.draining_server_ids.size(); ++i) {
    out << (i ? "," : "") << status.draining_server_ids[i];
  }
  const ClusterHealth health = AssessHealth(status);
  out << "],\"inode_count\":" << status.inode_count << ",\"chunk_count\":" << status.chunk_count
      << ",\"health\":{\"healthy\":" << (health.healthy ? "true" : "false") << ",\"problems\":[";
  for (size_t i = 0; i < health.problems.size(); ++i) {
    out << (i ? "," : "") << JsonString(health.problems[i]);
  }
  out << "]}}\n";
  return out.str();
}

}  // namespace tessera::client::cli
