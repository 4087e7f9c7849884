#include "master/file_info.h"

#include <algorithm>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "common/names.h"
#include "master/path_lookup.h"

namespace tessera::master {
namespace {

// "host:port" of every server the registry knows, alive or not.
std::map<int64_t, std::string> ServerAddresses(const ChunkServerRegistry& registry) {
  std::map<int64_t, std::string> addresses;
  for (const rpc::ChunkServerStatus& server : registry.Statuses()) {
    addresses[server.info.server_id] = server.info.host + ":" + std::to_string(server.info.port);
  }
  return addresses;
}

// A dead server's copy is "dead" whatever its version: it cannot serve reads now.
std::string ReplicaStateName(const ReplicaState& replica, int64_t chunk_version) {
  if (!replica.alive) return "dead";
  return replica.version == chunk_version ? "live" : "stale";
}

int64_t ChunkLength(int64_t file_size, int64_t chunk_index) {
  const int64_t start = chunk_index * kChunkSize;
  return std::clamp<int64_t>(file_size - start, 0, kChunkSize);
}

}  // namespace

Result<rpc::FileInfoReply> BuildFileInfo(const StateMachine& state,
                                         const ChunkServerRegistry& registry,
                                         std::string_view path) {
  ASSIGN_OR_RETURN(ResolvedPath resolved, ResolveAbsolutePath(state, path));
  if (resolved.attr.type == rpc::FileType::DIRECTORY) {
    return Status::IsDirectory(resolved.path + " is a directory, not a file");
  }
  if (resolved.attr.type != rpc::FileType::REGULAR) {
    return Status::InvalidArgument(resolved.path + " is not a regular file");
  }
  rpc::FileInfoReply reply;
  reply.path = resolved.path;
  reply.inode = resolved.attr.inode;
  reply.size = resolved.attr.size;
  reply.goal = resolved.attr.goal;
  ASSIGN_OR_RETURN(
      std::vector<ChunkAtIndex> chunks,
      state.GetChunks(resolved.attr.inode, 0, static_cast<int32_t>(kMaxFileInfoChunks + 1)));
  reply.truncated = chunks.size() > kMaxFileInfoChunks;
  if (reply.truncated) chunks.resize(kMaxFileInfoChunks);
  const std::map<int64_t, std::string> addresses = ServerAddresses(registry);
  for (const ChunkAtIndex& chunk : chunks) {
    rpc::FileChunk out;
    out.chunk_index = chunk.chunk_index;
    out.chunk_id = chunk.chunk.chunk_id;
    out.version = chunk.chunk.version;
    out.length = ChunkLength(reply.size, chunk.chunk_index);
    std::vector<ReplicaState> replicas = registry.Replicas(chunk.chunk.chunk_id);
    std::sort(replicas.begin(), replicas.end(), [](const ReplicaState& a, const ReplicaState& b) {
      return a.server_id < b.server_id;
    });
    for (const ReplicaState& replica : replicas) {
      rpc::FileReplica copy;
      copy.server_id = replica.server_id;
      auto address = addresses.find(replica.server_id);
      if (address != addresses.end()) copy.address = address->second;
      copy.version = replica.version;
      copy.state = ReplicaStateName(replica, chunk.chunk.version);
      copy.draining = replica.draining;
      if (copy.state == "live") ++out.live_copies;
      out.replicas.push_back(std::move(copy));
    }
    reply.chunks.push_back(std::move(out));
  }
  return reply;
}

}  // namespace tessera::master
