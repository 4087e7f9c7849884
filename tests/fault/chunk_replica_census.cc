#include "tests/fault/chunk_replica_census.h"

#include <algorithm>
#include <filesystem>
#include <thread>

#include "common/names.h"
#include "tests/fault/chunk_replica_scan.h"

namespace tessera::fault {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

constexpr milliseconds kLeaderDeadline = std::chrono::seconds(10);
constexpr milliseconds kPollInterval(200);

Result<HostPort> LeaderAddress(testing::TestCluster& cluster) {
  ASSIGN_OR_RETURN(int leader, cluster.WaitForLeader(kLeaderDeadline));
  return cluster.master_address(leader);
}

std::string IndexList(const std::set<int>& indexes) {
  std::string list = "{";
  for (int index : indexes) list += (list.size() > 1 ? "," : "") + std::to_string(index);
  return list + "}";
}

// The master's chunk records of one file, first to last.
Result<std::vector<rpc::ChunkInfo>> ChunksOfInode(testing::TestCluster& cluster,
                                                  const HostPort& leader, int64_t inode,
                                                  int32_t count) {
  return testing::CallFor<std::vector<rpc::ChunkInfo>>(
      cluster.master_rpc(), leader,
      [&](rpc::MasterServiceClient& c, std::vector<rpc::ChunkInfo>& out) {
        c.getChunks(out, cluster.NextContext(), inode, 0, count);
      });
}

}  // namespace

Result<std::vector<ExpectedChunk>> ChunksOfFiles(testing::TestCluster& cluster,
                                                 const std::vector<WrittenFile>& files) {
  ASSIGN_OR_RETURN(HostPort leader, LeaderAddress(cluster));
  std::vector<ExpectedChunk> chunks;
  for (const WrittenFile& file : files) {
    const std::string name = std::filesystem::path(file.path).filename().string();
    ASSIGN_OR_RETURN(rpc::Attr attr, testing::CallFor<rpc::Attr>(
                                         cluster.master_rpc(), leader,
                                         [&](rpc::MasterServiceClient& c, rpc::Attr& out) {
                                           c.lookup(out, cluster.NextContext(), kRootInode, name);
                                         }));
    const auto count = static_cast<int32_t>(file.chunk_sha256.size());
    ASSIGN_OR_RETURN(std::vector<rpc::ChunkInfo> infos,
                     ChunksOfInode(cluster, leader, attr.inode, count));
    if (infos.size() != file.chunk_sha256.size()) {
      return Status::Internal(file.path + ": the master lists " + std::to_string(infos.size()) +
                              " chunks, the file has " + std::to_string(file.chunk_sha256.size()));
    }
    for (const rpc::ChunkInfo& info : infos) {
      ExpectedChunk chunk;
      chunk.file = file.path;
      chunk.inode = attr.inode;
      chunk.chunks_in_file = count;
      chunk.chunk_index = info.chunk_index;
      chunk.chunk_id = info.chunk_id;
      chunk.length = std::min(kChunkSize, file.size - info.chunk_index * kChunkSize);
      chunk.sha256 = file.chunk_sha256.at(static_cast<size_t>(info.chunk_index));
      chunks.push_back(std::move(chunk));
    }
  }
  return chunks;
}

bool ReplicaCensus::AllAt(int goal, Leftovers leftovers) const {
  for (const auto& [id, places] : chunks) {
    if (static_cast<int>(places.on_disk.size()) != goal || places.in_master != places.on_disk) {
      return false;
    }
    if (leftovers == Leftovers::kNone && !places.other_files.empty()) return false;
  }
  return true;
}

int ReplicaCensus::ReplicasOnDisk() const {
  int replicas = 0;
  for (const auto& [id, places] : chunks) replicas += static_cast<int>(places.on_disk.size());
  return replicas;
}

std::string ReplicaCensus::Describe() const {
  std::string text;
  for (const auto& [id, places] : chunks) {
    std::set<int> others;
    for (const auto& [server, path] : places.other_files) others.insert(server);
    text += "  chunk " + ChunkIdHex(id) + " v" + std::to_string(places.version) + ": disk " +
            IndexList(places.on_disk) + " master " + IndexList(places.in_master) + " other " +
            IndexList(others) + "\n";
  }
  return text;
}

Result<ReplicaCensus> TakeCensus(testing::TestCluster& cluster,
                                 const std::vector<ExpectedChunk>& chunks, bool include_stopped) {
  ReplicaCensus census;
  std::map<int64_t, const ExpectedChunk*> by_id;
  for (const ExpectedChunk& chunk : chunks) {
    by_id[chunk.chunk_id] = &chunk;
    census.chunks[chunk.chunk_id];
  }
  // One getChunks per file, made at the entry of its first chunk.
  ASSIGN_OR_RETURN(HostPort leader, LeaderAddress(cluster));
  for (const ExpectedChunk& chunk : chunks) {
    if (chunk.chunk_index != 0) continue;
    ASSIGN_OR_RETURN(std::vector<rpc::ChunkInfo> infos,
                     ChunksOfInode(cluster, leader, chunk.inode, chunk.chunks_in_file));
    for (const rpc::ChunkInfo& info : infos) {
      auto places = census.chunks.find(info.chunk_id);
      if (places == census.chunks.end()) {
        return Status::Internal(chunk.file + " has a chunk " + ChunkIdHex(info.chunk_id) +
                                " the test did not write");
      }
      places->second.version = info.version;
      for (const rpc::ChunkServerAddress& replica : info.replicas) {
        ASSIGN_OR_RETURN(int server, cluster.ChunkServerIndexByPort(replica.port));
        places->second.in_master.insert(server);
      }
    }
  }
  for (int server = 0; server < cluster.chunk_server_count(); ++server) {
    if (!include_stopped && !cluster.chunk_server(server).Running()) continue;
    std::vector<ChunkFileOnDisk> files;
    for (const std::string& data_dir : cluster.chunk_server_data_dirs(server)) {
      ASSIGN_OR_RETURN(std::vector<ChunkFileOnDisk> in_dir, ScanChunkFiles(data_dir));
      files.insert(files.end(), in_dir.begin(), in_dir.end());
    }
    for (const ChunkFileOnDisk& file : files) {
      auto expected = by_id.find(file.chunk_id);
      if (expected == by_id.end()) continue;
      ChunkPlaces& places = census.chunks[file.chunk_id];
      if (file.Holds(places.version, expected->second->length)) {
        places.on_disk.insert(server);
        places.paths[server] = file.path;
      } else {
        places.other_files[server] = file.path;
      }
    }
  }
  return census;
}

Result<ReplicaCensus> WaitForEveryChunkAt(testing::TestCluster& cluster,
                                          const std::vector<ExpectedChunk>& chunks, int goal,
                                          Leftovers leftovers, milliseconds deadline) {
  const auto give_up = steady_clock::now() + deadline;
  Result<ReplicaCensus> census = Status::Unavailable("no census taken");
  while (steady_clock::now() < give_up) {
    census = TakeCensus(cluster, chunks);
    if (census.ok() && census->AllAt(goal, leftovers)) return census;
    std::this_thread::sleep_for(kPollInterval);
  }
  return Status::Unavailable(
      "not every chunk reached exactly " + std::to_string(goal) +
      " replicas on disk (running chunk servers) matching the master's list" +
      (leftovers == Leftovers::kNone ? ", with no other file of the chunk left," : "") +
      " within " + std::to_string(deadline.count()) + " ms; last census (chunk server indexes):\n" +
      (census.ok() ? census->Describe() : census.status().ToString()));
}

Status VerifyReplicaContents(const ReplicaCensus& census,
                             const std::vector<ExpectedChunk>& chunks) {
  std::string wrong;
  for (const ExpectedChunk& chunk : chunks) {
    for (const auto& [server, path] : census.chunks.at(chunk.chunk_id).paths) {
      ChunkFileOnDisk file;
      file.path = path;
      file.length = chunk.length;
      Result<std::string> digest = Sha256OfChunkData(file);
      if (!digest.ok()) {
        wrong += "  " + path + ": " + digest.status().ToString() + "\n";
      } else if (*digest != chunk.sha256) {
        wrong += "  " + path + " (chunk " + std::to_string(chunk.chunk_index) + " of " +
                 chunk.file + ", server index " + std::to_string(server) + ") holds other data\n";
      }
    }
  }
  if (wrong.empty()) return Status::Ok();
  return Status::Corruption("replicas on disk differ from the data written:\n" + wrong);
}

Status VerifyFilesThroughMount(const std::vector<WrittenFile>& files) {
  RETURN_IF_ERROR(DropPageCache());
  std::string wrong;
  for (const WrittenFile& file : files) {
    Result<std::string> digest = Sha256OfFile(file.path);
    if (!digest.ok()) {
      wrong += "  " + file.path + ": " + digest.status().ToString() + "\n";
    } else if (*digest != file.sha256) {
      wrong += "  " + file.path + " reads back other data (sha256 " + *digest + ", wrote " +
               file.sha256 + ")\n";
    }
  }
  if (wrong.empty()) return Status::Ok();
  return Status::Corruption("files read through the mount differ from what was written:\n" + wrong);
}

}  // namespace tessera::fault
