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
// manager runs on the leader. Times are printed and recorded as test properties.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "tests/fault/chunk_cli_status.h"
#include "tests/fault/chunk_replica_census.h"
#include "tests/fault/chunk_replica_scan.h"
#include "tests/fault/chunk_test_files.h"
#include "tests/fault/master_fault_fixture.h"

namespace tessera::fault {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

constexpr int kChunkServers = 5;
constexpr int kGoal = 3;
constexpr int64_t kMiB = int64_t{1} << 20;
// Several times what five chunk servers need to copy a few chunks on a loaded 2-core machine,
// and well under the ctest timeout, so that a failure names what was awaited.
constexpr milliseconds kRepairDeadline = std::chrono::seconds(60);
constexpr milliseconds kDeathDeadline = std::chrono::seconds(15);
constexpr milliseconds kStatusDeadline = std::chrono::seconds(15);

double SecondsSince(steady_clock::time_point start) {
  return std::chrono::duration<double>(steady_clock::now() - start).count();
}

// The master fault fixture (cluster, mount, logs on failure) with five chunk servers at goal 3
// and the number of masters as the parameter.
class ChunkRereplicationTest : public MasterFaultTest, public ::testing::WithParamInterface<int> {
 protected:
  testing::ClusterOptions Options() const override {
    testing::ClusterOptions options;
    options.masters = GetParam();
    options.chunk_servers = kChunkServers;
    options.default_goal = kGoal;
    options.heartbeat_ms = 200;
    options.chunkserver_timeout_ms = 2000;
    return options;
  }

  // Writes one file per size through the mount, learns their chunks from the master and checks
  // that every chunk starts with kGoal replicas; returns that census.
  ReplicaCensus WriteFiles(const std::vector<int64_t>& sizes) {
    for (size_t i = 0; i < sizes.size(); ++i) {
      Result<WrittenFile> file =
          WriteRandomFile(mountpoint_ + "/file-" + std::to_string(i), sizes[i], /*seed=*/1000 + i);
      EXPECT_TRUE(file.ok()) << file.status().ToString();
      if (!file.ok()) return {};
      files_.push_back(std::move(*file));
    }
    Result<std::vector<ExpectedChunk>> chunks = ChunksOfFiles(*cluster_, files_);
    EXPECT_TRUE(chunks.ok()) << chunks.status().ToString();
    if (!chunks.ok()) return {};
    chunks_ = std::move(*chunks);
    Result<ReplicaCensus> census =
        WaitForEveryChunkAt(*cluster_, chunks_, kGoal, Leftovers::kNone, kStatusDeadline);
    EXPECT_TRUE(census.ok()) << "right after the writes: " << census.status().ToString();
    return census.ok() ? *census : ReplicaCensus{};
  }

  // kill -9 of the chunk server holding the most replicas in `census`; returns its index.
  int KillBusiestChunkServer(const ReplicaCensus& census) {
    std::vector<int> held(kChunkServers, 0);
    for (const auto& [id, places] : census.chunks) {
      for (int server : places.on_disk) ++held[server];
    }
    const int victim = static_cast<int>(std::max_element(held.begin(), held.end()) - held.begin());
    std::cout << "[ chunks   ] " << chunks_.size() << " chunks; killing cs" << victim + 1
              << ", which holds " << held[victim] << " of them" << std::endl;
    killed_at_ = steady_clock::now();
    EXPECT_TRUE(cluster_->chunk_server(victim).Kill().ok()) << "kill -9 of cs" << victim + 1;
    return victim;
  }

  // Waits until the master no longer counts the killed server alive and every chunk is back at
  // kGoal on the live servers; checks the replicas' data and what the CLI shows. Returns the
  // census.
  ReplicaCensus WaitForRepair() {
    Status dead = cluster_->WaitForExactlyAliveChunkServers(kChunkServers - 1, kDeathDeadline);
    EXPECT_TRUE(dead.ok()) << dead.ToString();
    const double dead_after = SecondsSince(killed_at_);
    Result<ReplicaCensus> census =
        WaitForEveryChunkAt(*cluster_, chunks_, kGoal, Leftovers::kAllowed, kRepairDeadline);
    EXPECT_TRUE(census.ok()) << "after kill -9 of a chunk server: " << census.status().ToString();
    if (!census.ok()) return {};
    const double repaired_after = SecondsSince(killed_at_);
    std::cout << "[ repair   ] the killed server no longer counted alive " << dead_after
              << " s after kill -9; every chunk at " << kGoal
              << " replicas on disk and in the master " << repaired_after << " s after it ("
              << repaired_after - dead_after << " s after it stopped counting)" << std::endl;
    RecordProperty("dead_after_ms", static_cast<int>(dead_after * 1000));
    RecordProperty("repaired_after_ms", static_cast<int>(repaired_after * 1000));
    ExpectReplicasAndStatusRight(*census);
    return *census;
  }

  // Every replica on disk holds the data written; the CLI shows the running servers alive,
  // holding kGoal replicas of every chunk.
  void ExpectReplicasAndStatusRight(const ReplicaCensus& census) {
    Status contents = VerifyReplicaContents(census, chunks_);
    EXPECT_TRUE(contents.ok()) << contents.ToString();
    const auto count = static_cast<int64_t>(chunks_.size());
    Status cli = WaitForCliStatus(*cluster_, count, kGoal * count, kStatusDeadline);
    EXPECT_TRUE(cli.ok()) << cli.ToString();
  }

  // Starts the killed server again on its data directory, which holds `extra` chunk files (stale
  // or current) beyond the goal, and waits until every chunk has exactly kGoal replicas and no
  // other file is left on any server; then checks data and status.
  void RestartVictimAndExpectExactlyGoal(int victim, int extra) {
    const auto restarted_at = steady_clock::now();
    ASSERT_OK(cluster_->RestartChunkServer(victim));
    ASSERT_OK(cluster_->WaitForExactlyAliveChunkServers(kChunkServers, kDeathDeadline));
    Result<ReplicaCensus> cleaned =
        WaitForEveryChunkAt(*cluster_, chunks_, kGoal, Leftovers::kNone, kRepairDeadline);
    ASSERT_TRUE(cleaned.ok()) << "cs" << victim + 1 << " came back with " << extra
                              << " chunk files beyond the goal; they were not all removed: "
                              << cleaned.status().ToString();
    const double cleaned_after = SecondsSince(restarted_at);
    int kept_on_victim = 0;
    for (const auto& [id, places] : cleaned->chunks) {
      kept_on_victim += static_cast<int>(places.on_disk.count(victim));
    }
    std::cout << "[ cleanup  ] " << extra << " extra chunk files removed " << cleaned_after
              << " s after the restart; cs" << victim + 1 << " keeps " << kept_on_victim
              << " replicas" << std::endl;
    RecordProperty("cleaned_after_ms", static_cast<int>(cleaned_after * 1000));

    ExpectReplicasAndStatusRight(*cleaned);
    ExpectFilesReadBack("after the cleanup");
    // Nothing more was removed while the checks ran.
    Result<ReplicaCensus> last = TakeCensus(*cluster_, chunks_);
    ASSERT_TRUE(last.ok()) << last.status().ToString();
    EXPECT_TRUE(last->AllAt(kGoal, Leftovers::kNone)) << "replicas changed after the cleanup:\n"
                                                      << last->Describe();
  }

  void ExpectFilesReadBack(const std::string& when) {
    Status read_back = VerifyFilesThroughMount(files_);
    EXPECT_TRUE(read_back.ok()) << when << ": " << read_back.ToString();
  }

  std::vector<WrittenFile> files_;
  std::vector<ExpectedChunk> chunks_;
  steady_clock::time_point killed_at_;
};

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

std::string MastersName(const ::testing::TestParamInfo<int>& info) {
  return std::to_string(info.param) + (info.param == 1 ? "Master" : "Masters");
}

INSTANTIATE_TEST_SUITE_P(Masters, ChunkRereplicationTest, ::testing::Values(1, 3), MastersName);

// The same cluster with a Raft group of masters only.
class ChunkRereplicationGroupTest : public ChunkRereplicationTest {};

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
