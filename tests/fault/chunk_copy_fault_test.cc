// A fault in the middle of a re-replication. Copies are slowed to kSlowMbps per receiving chunk
// server, so that a 64 MiB chunk takes seconds to copy; the copy's target is killed -9 while its
// staging file exists (DATA_DIR/incoming/, chunkserver/chunk_import.h).
//
// While the copy runs, the partial chunk must not count as a replica: no chunk file on the
// target's disk, no entry in the master's list. After the kill the master must copy the chunk to
// another server and bring it to goal; the target, restarted, must clear its staging file and
// keep no other file of the chunk. The data must stay intact throughout.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <string>
#include <thread>

#include "tests/fault/chunk_fault_fixture.h"
#include "tests/fault/chunk_replica_scan.h"

namespace tessera::fault {
namespace {

namespace fs = std::filesystem;

// 64 MiB at 10 MB/s: about 7 s per copy, long enough to catch one in flight on a slow machine.
constexpr int kSlowMbps = 10;
// The target is killed once this much of the chunk reached its staging file: well into the copy.
constexpr int64_t kStagedBytesAtKill = 16 * kMiB;
constexpr std::chrono::milliseconds kCopyStartDeadline = std::chrono::seconds(30);

// Bytes in the largest staging file of `data_dir` (0 when there is none).
int64_t LargestStagedCopy(const std::string& data_dir) {
  std::error_code error;
  int64_t largest = 0;
  for (fs::directory_iterator it(fs::path(data_dir) / "incoming", error), end; !error && it != end;
       it.increment(error)) {
    const uintmax_t bytes = it->file_size(error);
    if (!error) largest = std::max(largest, static_cast<int64_t>(bytes));
  }
  return largest;
}

bool HasStagedCopy(const std::string& data_dir) {
  std::error_code error;
  const fs::path incoming = fs::path(data_dir) / "incoming";
  return fs::exists(incoming, error) && !fs::is_empty(incoming, error);
}

class ChunkCopyFaultTest : public ChunkFaultTest {
 protected:
  testing::ClusterOptions Options() const override {
    testing::ClusterOptions options = ChunkFaultTest::Options();
    options.extra_chunk_server_flags = {"--replication-mbps", std::to_string(kSlowMbps)};
    return options;
  }

  // Polls until a running chunk server has staged kStagedBytesAtKill of a copy; returns its
  // index, or -1 after kCopyStartDeadline.
  int WaitForCopyTarget() {
    const auto give_up = std::chrono::steady_clock::now() + kCopyStartDeadline;
    while (std::chrono::steady_clock::now() < give_up) {
      for (int i = 0; i < cluster_->chunk_server_count(); ++i) {
        if (cluster_->chunk_server(i).Running() &&
            LargestStagedCopy(cluster_->chunk_server_data_dir(i)) >= kStagedBytesAtKill) {
          return i;
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return -1;
  }
};

TEST_P(ChunkCopyFaultTest, KillNineOfTheCopyTargetMidCopy) {
  const ReplicaCensus before = WriteFiles({64 * kMiB});
  ASSERT_FALSE(HasFailure());
  KillBusiestChunkServer(before);
  const int target = WaitForCopyTarget();
  ASSERT_GE(target, 0) << "no chunk server staged " << kStagedBytesAtKill
                       << " bytes of a copy within " << kCopyStartDeadline.count()
                       << " ms of the kill";

  Result<ReplicaCensus> during = TakeCensus(*cluster_, chunks_);
  ASSERT_TRUE(during.ok()) << during.status().ToString();
  ASSERT_TRUE(HasStagedCopy(cluster_->chunk_server_data_dir(target)))
      << "the copy finished before the census; the test could not catch it in flight";
  for (const auto& [id, places] : during->chunks) {
    EXPECT_FALSE(places.in_master.count(target) || places.on_disk.count(target) ||
                 places.other_files.count(target))
        << "a copy in flight counts as a replica of chunk " << ChunkIdHex(id) << " on cs"
        << target + 1 << ":\n"
        << during->Describe();
  }
  std::cout << "[ copy     ] cs" << target + 1 << " staged "
            << LargestStagedCopy(cluster_->chunk_server_data_dir(target)) << " bytes of a copy "
            << SecondsSince(killed_at_) << " s after the kill; killing it" << std::endl;
  ASSERT_OK(cluster_->chunk_server(target).Kill());

  WaitForRepair();
  ASSERT_FALSE(HasFailure());
  ExpectFilesReadBack("after the repair around a killed copy target");

  RestartVictimAndExpectExactlyGoal(target, 0);
  EXPECT_FALSE(HasStagedCopy(cluster_->chunk_server_data_dir(target)))
      << "cs" << target + 1 << " kept the staging file of the interrupted copy after a restart";
}

INSTANTIATE_TEST_SUITE_P(Masters, ChunkCopyFaultTest, ::testing::Values(1), MastersName);

}  // namespace
}  // namespace tessera::fault
