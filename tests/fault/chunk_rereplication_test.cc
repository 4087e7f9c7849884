// The self-healing chunk layer on real processes: five chunk servers, goal 3, one mount, files of
// random content remembered by SHA-256.
//
// - kill -9 of the chunk server holding the most chunks must bring every chunk back to three
//   replicas on live servers within a deadline: checked on disk (complete chunk files of the
//   chunk's current version in the data directories), in the master's view (getChunks) and in
//   `tessera status --json`; every replica must hold the data written, and the files must read
//   back through the mount. Then the two servers whose loss leaves the most chunks with only
//   re-replicated copies are killed too, and the files must still read back: the new replicas
//   are real.
// - When the killed server comes back, the copies it kept are stale (each re-replication fences
//   the chunk with a new version): they must be deleted, leaving exactly three replicas.
// - When it comes back holding current copies (put there while it was down), every chunk is over
//   goal: the surplus must be removed until every chunk has exactly three replicas.
// - When the master leader dies with the chunk server, the next leader does the repair.
// In every case the data must stay intact.
//
// Parameterized over the number of masters (one, and a Raft group of three): the replication
// manager runs on the leader.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "tests/fault/chunk_fault_fixture.h"
#include "tests/fault/chunk_replica_scan.h"

namespace tessera::fault {
namespace {

using std::chrono::steady_clock;

// Of the running chunk servers, the pair whose loss leaves the most chunks readable only from
// replicas that re-replication made (in `after` but not in `before`); returns the pair and that
// number of chunks. Every chunk keeps a replica: kGoal = 3 replicas, two servers lost.
std::pair<std::pair<int, int>, int> PairLeavingOnlyNewReplicas(const ReplicaCensus& before,
                                                               const ReplicaCensus& after,
                                                               const std::vector<int>& running) {
  std::pair<std::pair<int, int>, int> best{{-1, -1}, -1};
  for (size_t i = 0; i < running.size(); ++i) {
    for (size_t j = i + 1; j < running.size(); ++j) {
      int only_new = 0;
      for (const auto& [id, places] : after.chunks) {
        std::set<int> left = places.on_disk;
        left.erase(running[i]);
        left.erase(running[j]);
        const std::set<int>& old_places = before.chunks.at(id).on_disk;
        const bool all_new = std::none_of(left.begin(), left.end(),
                                          [&](int server) { return old_places.count(server); });
        if (!left.empty() && all_new) ++only_new;
      }
      if (only_new > best.second) best = {{running[i], running[j]}, only_new};
    }
  }
  return best;
}

class ChunkRereplicationTest : public ChunkFaultTest {};

TEST_P(ChunkRereplicationTest, KillNineOfAChunkServerRestoresEveryChunkToGoal) {
  const ReplicaCensus before = WriteFiles(
      {8 * kMiB + 1, 70 * kMiB, 23 * kMiB + 4097, 41 * kMiB, 66 * kMiB + 12345, 12 * kMiB});
  ASSERT_FALSE(HasFailure());
  const int victim = KillBusiestChunkServer(before);
  const ReplicaCensus after = WaitForRepair();
  ASSERT_FALSE(HasFailure());
  ExpectFilesReadBack("after the repair");

  std::vector<int> running;
  for (int i = 0; i < kChunkServers; ++i) {
    if (i != victim) running.push_back(i);
  }
  const auto [pair, only_new] = PairLeavingOnlyNewReplicas(before, after, running);
  ASSERT_GE(only_new, 1) << "no chunk was copied to a new server:\n" << after.Describe();
  std::cout << "[ new      ] killing cs" << pair.first + 1 << " and cs" << pair.second + 1
            << " leaves " << only_new << " chunks with re-replicated copies only" << std::endl;
  ASSERT_OK(cluster_->chunk_server(pair.first).Kill());
  ASSERT_OK(cluster_->chunk_server(pair.second).Kill());
  ExpectFilesReadBack("with only three chunk servers left, two of them re-replication targets");
}

TEST_P(ChunkRereplicationTest, StaleReplicasOfARestartedServerAreDeleted) {
  const ReplicaCensus before = WriteFiles({9 * kMiB, 70 * kMiB, 20 * kMiB + 3, 33 * kMiB});
  ASSERT_FALSE(HasFailure());
  const int victim = KillBusiestChunkServer(before);
  WaitForRepair();
  ASSERT_FALSE(HasFailure());

  Result<ReplicaCensus> left = TakeCensus(*cluster_, chunks_, /*include_stopped=*/true);
  ASSERT_TRUE(left.ok()) << left.status().ToString();
  int current = 0, stale = 0;
  for (const auto& [id, places] : left->chunks) {
    current += static_cast<int>(places.on_disk.count(victim));
    stale += static_cast<int>(places.other_files.count(victim));
  }
  ASSERT_GT(current + stale, 0) << "cs" << victim + 1 << " left no chunk file behind";
  std::cout << "[ left     ] cs" << victim + 1 << " kept " << current
            << " replicas at the current version (over goal once back) and " << stale
            << " stale ones" << std::endl;

  RestartVictimAndExpectExactlyGoal(victim, current + stale);
}

TEST_P(ChunkRereplicationTest, ReplicasOverGoalAreRemoved) {
  const ReplicaCensus before = WriteFiles({9 * kMiB, 70 * kMiB, 20 * kMiB + 3, 33 * kMiB});
  ASSERT_FALSE(HasFailure());
  const int victim = KillBusiestChunkServer(before);
  const ReplicaCensus repaired = WaitForRepair();
  ASSERT_FALSE(HasFailure());

  // While it is down, the victim gets a current copy of every chunk, as if it had taken part in
  // every re-replication: back, it makes every chunk one replica over goal.
  for (const auto& [id, places] : repaired.chunks) {
    const std::string& source = places.paths.begin()->second;
    const std::filesystem::path target =
        std::filesystem::path(cluster_->chunk_server_data_dir(victim)) / "chunks" /
        ChunkIdHex(id).substr(14) / (ChunkIdHex(id) + ".chunk");
    std::error_code error;
    std::filesystem::create_directories(target.parent_path(), error);
    ASSERT_TRUE(std::filesystem::copy_file(
        source, target, std::filesystem::copy_options::overwrite_existing, error))
        << source << " -> " << target << ": " << error.message();
  }
  Result<ReplicaCensus> planted = TakeCensus(*cluster_, chunks_, /*include_stopped=*/true);
  ASSERT_TRUE(planted.ok()) << planted.status().ToString();
  for (const auto& [id, places] : planted->chunks) {
    ASSERT_EQ(places.on_disk.size(), static_cast<size_t>(kGoal + 1)) << planted->Describe();
  }

  RestartVictimAndExpectExactlyGoal(victim, static_cast<int>(chunks_.size()));
}

INSTANTIATE_TEST_SUITE_P(Masters, ChunkRereplicationTest, ::testing::Values(1, 3), MastersName);

// The same cluster with a Raft group of masters only.
class ChunkRereplicationGroupTest : public ChunkFaultTest {};

// The master leader dies with the chunk server: the repair must be done by the next leader
// (which first gives the chunk servers a grace period to report to it).
TEST_P(ChunkRereplicationGroupTest, RepairIsDoneByTheNextLeaderWhenTheLeaderDiesToo) {
  const ReplicaCensus before = WriteFiles({8 * kMiB + 1, 70 * kMiB, 23 * kMiB + 4097, 41 * kMiB});
  ASSERT_FALSE(HasFailure());
  Result<int> leader = cluster_->WaitForLeader(kLeaderDeadline);
  ASSERT_TRUE(leader.ok()) << leader.status().ToString();
  KillBusiestChunkServer(before);
  ASSERT_OK(cluster_->master(*leader).Kill());
  Result<int> successor = cluster_->WaitForLeader(kLeaderDeadline);
  ASSERT_TRUE(successor.ok()) << successor.status().ToString();
  std::cout << "[ leader   ] master " << cluster_->master_id(*leader) << " killed; master "
            << cluster_->master_id(*successor) << " leads " << SecondsSince(killed_at_)
            << " s after the chunk server's kill" << std::endl;
  WaitForRepair();
  ASSERT_FALSE(HasFailure());
  ExpectFilesReadBack("after the repair by the next leader");
}

INSTANTIATE_TEST_SUITE_P(Masters, ChunkRereplicationGroupTest, ::testing::Values(3), MastersName);

}  // namespace
}  // namespace tessera::fault
