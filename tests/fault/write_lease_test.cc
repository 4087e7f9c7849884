// Write leases, chunk versions and garbage collection on real processes (DESIGN.md, master).
//
// - A chunk server killed while a file is rewritten keeps its old copy of the chunk, at the old
//   version. With three chunk servers and goal 3 there is nowhere to re-replicate to, so only
//   the write lease can make that copy stale: the rewrite must take a new version. When the
//   server comes back, the master must never list its old copy for reading, must have it
//   deleted, and must copy the current version back to it; the data must be the rewritten one.
// - Chunks of removed and truncated files must be deleted from every chunk server after the
//   garbage collection's grace period, not before, even when the master leader that applied the
//   removal is killed within the grace period; chunks of the files left must all stay.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/names.h"
#include "tests/fault/chunk_fault_fixture.h"
#include "tests/fault/chunk_replica_scan.h"

namespace tessera::fault {
namespace {

using std::chrono::steady_clock;

std::string RandomBytes(int64_t size, uint64_t seed) {
  std::mt19937_64 random(seed);
  std::string bytes(static_cast<size_t>(size), '\0');
  for (auto& byte : bytes) byte = static_cast<char>(random());
  return bytes;
}

std::string Sha256Of(std::string_view bytes) {
  Sha256 digest;
  digest.Update(bytes);
  return digest.Hex();
}

Status WriteWhole(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) return Status::IoError("cannot write " + path);
  return Status::Ok();
}

// pwrite of `bytes` at `offset` of an existing file, then close: the rewrite is acknowledged by
// every replica of its chain when close returns.
Status Overwrite(const std::string& path, int64_t offset, const std::string& bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY);
  if (fd < 0) return Status::IoError("open " + path + ": " + std::strerror(errno));
  const ssize_t wrote = ::pwrite(fd, bytes.data(), bytes.size(), offset);
  const int saved = errno;
  if (::close(fd) != 0) return Status::IoError("close " + path + ": " + std::strerror(errno));
  if (wrote != static_cast<ssize_t>(bytes.size())) {
    return Status::IoError("pwrite " + path + ": " + std::strerror(saved));
  }
  return Status::Ok();
}

// Chunk files of `chunk_ids` (any version) in the data directories of every chunk server.
Result<int> ChunkFilesOf(testing::TestCluster& cluster, const std::set<int64_t>& chunk_ids) {
  int found = 0;
  for (int i = 0; i < cluster.chunk_server_count(); ++i) {
    ASSIGN_OR_RETURN(std::vector<ChunkFileOnDisk> files,
                     ScanChunkFiles(cluster.chunk_server_data_dir(i)));
    for (const ChunkFileOnDisk& file : files) found += chunk_ids.contains(file.chunk_id) ? 1 : 0;
  }
  return found;
}

class WriteLeaseTest : public ChunkFaultTest {
 protected:
  testing::ClusterOptions Options() const override {
    testing::ClusterOptions options = ChunkFaultTest::Options();
    options.chunk_servers = kGoal;  // no spare server: only a new version makes a copy stale
    return options;
  }

  // Writes `bytes` as a new file through the mount and enters it in files_ and chunks_.
  void WriteFile(const std::string& name, const std::string& bytes) {
    const std::string path = mountpoint_ + "/" + name;
    ASSERT_OK(WriteWhole(path, bytes));
    WrittenFile file{path, static_cast<int64_t>(bytes.size()), Sha256Of(bytes), {}};
    for (size_t start = 0; start < bytes.size(); start += kChunkSize) {
      file.chunk_sha256.push_back(
          Sha256Of(std::string_view(bytes).substr(start, static_cast<size_t>(kChunkSize))));
    }
    Result<std::vector<ExpectedChunk>> chunks = ChunksOfFiles(*cluster_, {file});
    ASSERT_TRUE(chunks.ok()) << chunks.status().ToString();
    files_.push_back(std::move(file));
    chunks_.insert(chunks_.end(), chunks->begin(), chunks->end());
  }
};

TEST_P(WriteLeaseTest, AServerThatMissedARewriteNeverServesItsOldCopy) {
  std::string bytes = RandomBytes(10 * kMiB, 7);
  WriteFile("rewritten", bytes);
  ASSERT_FALSE(HasFailure());
  Result<ReplicaCensus> first =
      WaitForEveryChunkAt(*cluster_, chunks_, kGoal, Leftovers::kNone, kStatusDeadline);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  const int64_t chunk_id = chunks_.front().chunk_id;
  const int64_t old_version = first->chunks.at(chunk_id).version;

  const int victim = 0;
  ASSERT_OK(cluster_->chunk_server(victim).Kill());
  ASSERT_OK(cluster_->WaitForExactlyAliveChunkServers(kGoal - 1, kDeathDeadline));
  const std::string patch = RandomBytes(kMiB, 8);
  ASSERT_OK(Overwrite(files_.front().path, 3 * kMiB, patch));
  bytes.replace(3 * kMiB, patch.size(), patch);
  files_.front().sha256 = Sha256Of(bytes);
  files_.front().chunk_sha256 = {files_.front().sha256};
  chunks_.front().sha256 = files_.front().sha256;

  Result<ReplicaCensus> rewritten = TakeCensus(*cluster_, chunks_, /*include_stopped=*/true);
  ASSERT_TRUE(rewritten.ok()) << rewritten.status().ToString();
  const ChunkPlaces& places = rewritten->chunks.at(chunk_id);
  EXPECT_GT(places.version, old_version) << "the rewrite took no new write lease";
  EXPECT_FALSE(places.in_master.contains(victim));
  EXPECT_TRUE(places.other_files.contains(victim))
      << "cs" << victim + 1 << " should keep its old copy while down:\n" << rewritten->Describe();
  std::cout << "[ lease    ] chunk " << chunk_id << " v" << old_version << " -> v"
            << places.version << " by the rewrite while cs" << victim + 1 << " was down"
            << std::endl;

  // Back with its old copy: listed for reading only once it holds the current version again.
  ASSERT_OK(cluster_->RestartChunkServer(victim));
  ASSERT_OK(cluster_->WaitForExactlyAliveChunkServers(kGoal, kDeathDeadline));
  const auto deadline = steady_clock::now() + kRepairDeadline;
  int polls = 0;
  while (true) {
    Result<ReplicaCensus> census = TakeCensus(*cluster_, chunks_);
    ASSERT_TRUE(census.ok()) << census.status().ToString();
    const ChunkPlaces& now = census->chunks.at(chunk_id);
    ++polls;
    if (now.in_master.contains(victim)) {
      ASSERT_TRUE(now.on_disk.contains(victim))
          << "the master lists cs" << victim + 1 << " without the current version on disk:\n"
          << census->Describe();
    }
    if (census->AllAt(kGoal, Leftovers::kNone)) break;
    ASSERT_LT(steady_clock::now(), deadline) << "not back at goal:\n" << census->Describe();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // poll period
  }
  std::cout << "[ restored ] the stale copy was replaced by the current version after " << polls
            << " polls" << std::endl;
  Result<ReplicaCensus> last = TakeCensus(*cluster_, chunks_);
  ASSERT_TRUE(last.ok());
  ExpectReplicasAndStatusRight(*last);
  ExpectFilesReadBack("after the stale copy was replaced");
}

TEST_P(WriteLeaseTest, ChunksOfRemovedFilesAreCollectedAfterTheGracePeriodAcrossAFailover) {
  WriteFile("kept", RandomBytes(3 * kMiB, 1));
  WriteFile("removed", RandomBytes(5 * kMiB, 2));
  const std::string truncated = RandomBytes(kChunkSize + 2 * kMiB, 3);
  WriteFile("truncated", truncated);
  ASSERT_FALSE(HasFailure());
  ASSERT_TRUE(WaitForEveryChunkAt(*cluster_, chunks_, kGoal, Leftovers::kNone, kStatusDeadline)
                  .ok());
  std::set<int64_t> freed;
  std::vector<ExpectedChunk> still_referenced;
  for (const ExpectedChunk& chunk : chunks_) {
    const bool goes = chunk.file == files_[1].path ||
                      (chunk.file == files_[2].path && chunk.chunk_index == 1);
    if (goes) {
      freed.insert(chunk.chunk_id);
    } else {
      still_referenced.push_back(chunk);
    }
  }
  ASSERT_EQ(freed.size(), 2u);
  // The truncate below cuts the last byte of chunk 0, which the client zeroes on every replica
  // first (client/truncate_tail.h), so that it reads as zero if the file grows again.
  for (ExpectedChunk& chunk : still_referenced) {
    if (chunk.file == files_[2].path) {
      chunk.sha256 = Sha256Of(truncated.substr(0, static_cast<size_t>(kChunkSize - 1)) + '\0');
    }
  }

  const auto removed_at = steady_clock::now();
  ASSERT_EQ(::unlink(files_[1].path.c_str()), 0) << std::strerror(errno);
  ASSERT_EQ(::truncate(files_[2].path.c_str(), kChunkSize - 1), 0) << std::strerror(errno);
  Result<int> right_after = ChunkFilesOf(*cluster_, freed);
  ASSERT_TRUE(right_after.ok()) << right_after.status().ToString();
  if (SecondsSince(removed_at) * 1000 < testing::ClusterOptions().gc_grace_ms) {
    EXPECT_EQ(*right_after, 2 * kGoal) << "deleted before the grace period ended";
  }
  if (cluster_->master_count() > 1) {
    Result<int> leader = cluster_->WaitForLeader(kStatusDeadline);
    ASSERT_TRUE(leader.ok()) << leader.status().ToString();
    ASSERT_OK(cluster_->master(*leader).Kill());
    std::cout << "[ failover ] killed the leader, master " << *leader + 1
              << ", within the grace period" << std::endl;
  }

  const auto deadline = steady_clock::now() + kRepairDeadline;
  while (true) {
    Result<int> left = ChunkFilesOf(*cluster_, freed);
    ASSERT_TRUE(left.ok()) << left.status().ToString();
    if (*left == 0) break;
    ASSERT_LT(steady_clock::now(), deadline) << *left << " chunk files of freed chunks remain";
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // poll period
  }
  std::cout << "[ collect  ] the " << freed.size() << " freed chunks were deleted from every "
            << "server " << SecondsSince(removed_at) << " s after the removal" << std::endl;
  chunks_ = still_referenced;
  Result<ReplicaCensus> census = TakeCensus(*cluster_, chunks_);
  ASSERT_TRUE(census.ok()) << census.status().ToString();
  EXPECT_TRUE(census->AllAt(kGoal, Leftovers::kNone)) << census->Describe();
  Status contents = VerifyReplicaContents(*census, chunks_);
  EXPECT_TRUE(contents.ok()) << contents.ToString();
  Result<std::string> kept = Sha256OfFile(files_[0].path);
  ASSERT_TRUE(kept.ok()) << kept.status().ToString();
  EXPECT_EQ(*kept, files_[0].sha256);
}

INSTANTIATE_TEST_SUITE_P(Masters, WriteLeaseTest, ::testing::Values(1, 3), MastersName);

}  // namespace
}  // namespace tessera::fault
