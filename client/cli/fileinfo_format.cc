#include "client/cli/fileinfo_format.h"

#include <sstream>

#include "client/cli/cluster_status_format.h"

namespace tessera::client::cli {
namespace {

// "3@127.0.0.1:9500 live" or "4@127.0.0.1:9501 stale v2, draining".
std::string ReplicaText(const rpc::FileReplica& replica, int64_t chunk_version) {
  std::string text = std::to_string(replica.server_id) + "@" +
                     (replica.address.empty() ? "?" : replica.address) + " " + replica.state;
  if (replica.version != chunk_version) text += " v" + std::to_string(replica.version);
  if (replica.draining) text += ", draining";
  return text;
}

}  // namespace

bool FileFullyReplicated(const rpc::FileInfoReply& info) {
  for (const rpc::FileChunk& chunk : info.chunks) {
    if (chunk.live_copies < info.goal) return false;
  }
  return true;
}

std::string FormatFileInfoText(const rpc::FileInfoReply& info) {
  std::ostringstream out;
  out << info.path << ": inode " << info.inode << ", " << info.size << " bytes ("
      << HumanBytes(info.size) << "), goal " << info.goal << ", " << info.chunks.size()
      << (info.chunks.size() == 1 ? " chunk" : " chunks") << "\n";
  for (const rpc::FileChunk& chunk : info.chunks) {
    out << "  chunk " << chunk.chunk_index << ": id " << chunk.chunk_id << " version "
        << chunk.version << " length " << chunk.length << ", " << chunk.live_copies << "/"
        << info.goal << " live";
    if (chunk.live_copies < info.goal) {
      out << (chunk.live_copies == 0 ? " (MISSING)" : " (UNDER GOAL)");
    }
    out << "\n";
    for (const rpc::FileReplica& replica : chunk.replicas) {
      out << "    " << ReplicaText(replica, chunk.version) << "\n";
    }
  }
  if (info.truncated) out << "  (more chunks than listed)\n";
  return out.str();
}

std::string FormatFileInfoJson(const rpc::FileInfoReply& info) {
  std::ostringstream out;
  out << "{\"path\":" << JsonString(info.path) << ",\"inode\":" << info.inode
      << ",\"size\":" << info.size << ",\"goal\":" << info.goal
      << ",\"fully_replicated\":" << (FileFullyReplicated(info) ? "true" : "false")
      << ",\"truncated\":" << (info.truncated ? "true" : "false") << ",\"chunks\":[";
  for (size_t i = 0; i < info.chunks.size(); ++i) {
    const rpc::FileChunk& chunk = info.chunks[i];
    out << (i ? "," : "") << "{\"chunk_index\":" << chunk.chunk_index
        << ",\"chunk_id\":" << chunk.chunk_id << ",\"version\":" << chunk.version
        << ",\"length\":" << chunk.length << ",\"live_copies\":" << chunk.live_copies
        << ",\"replicas\":[";
    for (size_t j = 0; j < chunk.replicas.size(); ++j) {
      const rpc::FileReplica& replica = chunk.replicas[j];
      out << (j ? "," : "") << "{\"server_id\":" << replica.server_id
          << ",\"address\":" << JsonString(replica.address) << ",\"version\":" << replica.version
          << ",\"state\":" << JsonString(replica.state)
          << ",\"draining\":" << (replica.draining ? "true" : "false") << "}";
    }
    out << "]}";
  }
  out << "]}\n";
  return out.str();
}

}  // namespace tessera::client::cli
