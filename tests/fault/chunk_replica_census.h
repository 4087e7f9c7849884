// Where the replicas of a test's chunks are, seen two ways at once: on disk (the chunk files in
// the data directories of the chunk servers that are running, read by chunk_replica_scan.h) and
// by the master leader (getChunks: the chunk's current version and the replicas it hands to
// readers). A chunk is at goal only when both agree on the same `goal` servers. The version is
// the master's of the moment: a re-replication fences the chunk with a new version, which makes
// the copies a dead server keeps stale.
//
// Ownership: a census borrows the TestCluster only during the call that takes it.
// Thread-safety: none; use from the test's thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/status.h"
#include "tests/fault/chunk_test_files.h"
#include "tests/integration/test_cluster.h"

namespace tessera::fault {

// One chunk a test wrote, as the master names it, and the digest of its data.
struct ExpectedChunk {
  std::string file;  // path on the mount
  int64_t inode = 0;
  int32_t chunks_in_file = 0;
  int64_t chunk_index = 0;
  int64_t chunk_id = 0;
  int64_t length = 0;
  std::string sha256;
};

// The chunks of `files` (written in the mount's root directory), asked of the master leader.
Result<std::vector<ExpectedChunk>> ChunksOfFiles(testing::TestCluster& cluster,
                                                 const std::vector<WrittenFile>& files);

struct ChunkPlaces {
  int64_t version = 0;  // as the master names it
  // Indexes of scanned chunk servers holding a complete replica (that version, full length).
  std::set<int> on_disk;
  // Their chunk files, by server index.
  std::map<int, std::string> paths;
  // Other files of the chunk (an older version, a short file), by server index.
  std::map<int, std::string> other_files;
  // Indexes of the servers the master lists for the chunk.
  std::set<int> in_master;
};

// What a chunk may have besides its replicas while a test waits for the goal.
enum class Leftovers {
  kAllowed,
  kNone,  // no scanned server keeps another file of the chunk (a stale copy, say)
};

struct ReplicaCensus {
  std::map<int64_t, ChunkPlaces> chunks;  // by chunk id; every expected chunk has an entry

  // Every chunk has exactly `goal` replicas on disk, the master lists exactly those, and
  // leftover files are absent when `leftovers` says so.
  bool AllAt(int goal, Leftovers leftovers = Leftovers::kAllowed) const;
  // Complete replicas on disk of all chunks together.
  int ReplicasOnDisk() const;
  // One line per chunk: "<id> v2: disk {1,3,4} master {1,3,4} other {0}" (chunk server indexes).
  std::string Describe() const;
};

// Asks the leader for every chunk, then scans the data directory of every running chunk server
// (all of them with `include_stopped`, which reads the files a killed server left behind).
Result<ReplicaCensus> TakeCensus(testing::TestCluster& cluster,
                                 const std::vector<ExpectedChunk>& chunks,
                                 bool include_stopped = false);

// Polls TakeCensus until AllAt(goal, leftovers); returns the census then, or kUnavailable with
// the last census after `deadline`.
Result<ReplicaCensus> WaitForEveryChunkAt(testing::TestCluster& cluster,
                                          const std::vector<ExpectedChunk>& chunks, int goal,
                                          Leftovers leftovers, std::chrono::milliseconds deadline);

// Reads the data of every replica the census found on disk and compares its SHA-256 with the
// chunk's; names every replica that differs.
Status VerifyReplicaContents(const ReplicaCensus& census, const std::vector<ExpectedChunk>& chunks);

// Reads every file back through the mount after dropping the page cache and compares its
// SHA-256 with what was written.
Status VerifyFilesThroughMount(const std::vector<WrittenFile>& files);

}  // namespace tessera::fault
