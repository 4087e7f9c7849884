// GoogleTest fixture of the chunk server fault tests: the master fault fixture (cluster, mount,
// logs on failure) with five chunk servers at goal 3 (200 ms heartbeats, dead after 2 s) and the
// number of masters as the parameter, plus the steps those tests share: write files of random
// content, kill -9 the chunk server holding the most chunks, wait for the repair and check it
// on disk, in the master, in the CLI and through the mount. Times are printed and recorded as
// test properties.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <string>
#include <vector>

#include "tests/fault/chunk_cli_status.h"
#include "tests/fault/chunk_replica_census.h"
#include "tests/fault/chunk_test_files.h"
#include "tests/fault/master_fault_fixture.h"

namespace tessera::fault {

inline constexpr int kChunkServers = 5;
inline constexpr int kGoal = 3;
inline constexpr int64_t kMiB = int64_t{1} << 20;
// Several times what five chunk servers need to copy a few chunks on a loaded 2-core machine,
// and well under the ctest timeout, so that a failure names what was awaited.
inline constexpr std::chrono::milliseconds kRepairDeadline = std::chrono::seconds(60);
inline constexpr std::chrono::milliseconds kDeathDeadline = std::chrono::seconds(15);
inline constexpr std::chrono::milliseconds kStatusDeadline = std::chrono::seconds(15);

inline double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

class ChunkFaultTest : public MasterFaultTest, public ::testing::WithParamInterface<int> {
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

  int RunningChunkServers() {
    int running = 0;
    for (int i = 0; i < cluster_->chunk_server_count(); ++i) {
      running += cluster_->chunk_server(i).Running() ? 1 : 0;
    }
    return running;
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
    killed_at_ = std::chrono::steady_clock::now();
    EXPECT_TRUE(cluster_->chunk_server(victim).Kill().ok()) << "kill -9 of cs" << victim + 1;
    return victim;
  }

  // Waits until the master counts only the running chunk servers alive and every chunk is back
  // at kGoal on them; checks the replicas' data and what the CLI shows. Returns the census.
  ReplicaCensus WaitForRepair() {
    Status dead = cluster_->WaitForExactlyAliveChunkServers(RunningChunkServers(), kDeathDeadline);
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

  // Starts a killed server again on its data directory, which holds `extra` chunk files (stale
  // or current) beyond the goal, and waits until every chunk has exactly kGoal replicas and no
  // other file is left on any running server; then checks data and status.
  void RestartVictimAndExpectExactlyGoal(int victim, int extra) {
    const auto restarted_at = std::chrono::steady_clock::now();
    ASSERT_OK(cluster_->RestartChunkServer(victim));
    ASSERT_OK(cluster_->WaitForExactlyAliveChunkServers(RunningChunkServers(), kDeathDeadline));
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
  std::chrono::steady_clock::time_point killed_at_;
};

// Test name suffix: "1Master", "3Masters".
inline std::string MastersName(const ::testing::TestParamInfo<int>& info) {
  return std::to_string(info.param) + (info.param == 1 ? "Master" : "Masters");
}

}  // namespace tessera::fault
