#include "master/fsck.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "common/names.h"
#include "master/path_lookup.h"

namespace tessera::master {
namespace {

struct Walk {
  const StateMachine& state;
  const ChunkServerRegistry& registry;
  rpc::FsckReply reply;
  std::vector<rpc::FsckChunk> problems;
};

Status CheckFile(Walk& walk, const rpc::Attr& attr, const std::string& path) {
  ++walk.reply.files;
  ASSIGN_OR_RETURN(std::vector<ChunkAtIndex> chunks,
                   walk.state.GetChunks(attr.inode, 0, kMaxFileSize / kChunkSize));
  for (const ChunkAtIndex& chunk : chunks) {
    ++walk.reply.chunks;
    const auto live = static_cast<int32_t>(
        walk.registry.LiveReplicas(chunk.chunk.chunk_id, chunk.chunk.version).size());
    if (live >= attr.goal) continue;
    rpc::FsckChunk problem;
    problem.path = path;
    problem.inode = attr.inode;
    problem.chunk_index = chunk.chunk_index;
    problem.chunk_id = chunk.chunk.chunk_id;
    problem.live_copies = live;
    problem.goal = attr.goal;
    problem.state = live == 0 ? "missing" : "under goal";
    ++(live == 0 ? walk.reply.chunks_missing : walk.reply.chunks_under_goal);
    walk.problems.push_back(std::move(problem));
  }
  return Status::Ok();
}

Status CheckTree(Walk& walk, int64_t root, const std::string& root_path) {
  std::vector<std::pair<int64_t, std::string>> directories = {{root, root_path}};
  while (!directories.empty()) {
    auto [inode, path] = std::move(directories.back());
    directories.pop_back();
    std::string after;
    for (;;) {
      ASSIGN_OR_RETURN(rpc::ReaddirReply listing,
                       walk.state.Readdir(inode, after, kMaxReaddirEntries));
      for (const rpc::DirEntry& entry : listing.entries) {
        const std::string child = (path == "/" ? "" : path) + "/" + entry.name;
        if (entry.type == rpc::FileType::DIRECTORY) {
          directories.emplace_back(entry.inode, child);
        } else if (entry.type == rpc::FileType::REGULAR) {
          Result<rpc::Attr> attr = walk.state.GetAttr(entry.inode);
          if (!attr.ok()) continue;  // removed during the walk
          RETURN_IF_ERROR(CheckFile(walk, *attr, child));
        }
        after = entry.name;
      }
      if (listing.eof || listing.entries.empty()) break;
    }
  }
  return Status::Ok();
}

}  // namespace

Result<rpc::FsckReply> RunFsck(const StateMachine& state, const ChunkServerRegistry& registry,
                               std::string_view path) {
  ASSIGN_OR_RETURN(ResolvedPath resolved, ResolveAbsolutePath(state, path));
  const rpc::Attr& attr = resolved.attr;
  Walk walk{state, registry, {}, {}};
  if (attr.type == rpc::FileType::DIRECTORY) {
    RETURN_IF_ERROR(CheckTree(walk, attr.inode, resolved.path));
  } else if (attr.type == rpc::FileType::REGULAR) {
    RETURN_IF_ERROR(CheckFile(walk, attr, resolved.path));
  }
  // Worst first: no copy at all, then the fewest copies.
  std::stable_sort(walk.problems.begin(), walk.problems.end(),
                   [](const rpc::FsckChunk& a, const rpc::FsckChunk& b) {
                     return a.live_copies < b.live_copies;
                   });
  walk.reply.truncated = walk.problems.size() > kMaxFsckProblems;
  if (walk.reply.truncated) walk.problems.resize(kMaxFsckProblems);
  walk.reply.problems = std::move(walk.problems);
  return std::move(walk.reply);
}

}  // namespace tessera::master
