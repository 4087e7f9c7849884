// Disks that go bad, on real processes with the mount:
// - a byte flipped in a chunk file that nobody reads is found by the scrubber, the bad copy is
//   set aside and the chunk is copied back to its goal from a good replica;
// - a data directory made unreadable (chmod 000, the chunk server running without
//   CAP_DAC_OVERRIDE) is taken out of service: the server reports it failed, keeps serving from
//   its other directory, and every chunk it held there returns to its goal elsewhere;
// - a chunk server whose only data directory (a small tmpfs) is full gets no replica of new
//   files, and writes go on; ENOSPC reaches the application only when no server has room.
// In every case the data read back through the mount is what was written.
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <iterator>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "tests/fault/chunk_fault_fixture.h"
#include "tests/fault/chunk_replica_scan.h"
#include "tests/fault/tmpfs_mount.h"
#include "tests/fault/tmpfs_servers_fixture.h"

namespace tessera::fault {
namespace {

namespace fs = std::filesystem;
using std::chrono::steady_clock;

constexpr int64_t kChunkBytes = 64 * kMiB;  // a server needs this much free for a new chunk
constexpr std::chrono::milliseconds kPoll(100);

// Polls `condition` until it holds or `deadline` passes.
bool PollUntil(const std::function<bool()>& condition, std::chrono::milliseconds deadline) {
  const auto end = steady_clock::now() + deadline;
  while (!condition()) {
    if (steady_clock::now() >= end) return false;
    std::this_thread::sleep_for(kPoll);
  }
  return true;
}

// The stats chunk server `index` last reported, as the master leader shows them.
Result<rpc::ChunkServerStats> MasterStatsOf(testing::TestCluster& cluster, int index) {
  ASSIGN_OR_RETURN(rpc::ClusterStatus status, cluster.QueryClusterStatus());
  for (const rpc::ChunkServerStatus& server : status.chunk_servers) {
    if (server.info.port == cluster.chunk_server_address(index).port) return server.stats;
  }
  return Status::NotFound("the master does not list cs" + std::to_string(index + 1));
}

// Until the master shows chunk server `index` with less free space than a chunk needs.
bool WaitUntilMasterSeesFull(testing::TestCluster& cluster, int index) {
  return PollUntil(
      [&] {
        Result<rpc::ChunkServerStats> stats = MasterStatsOf(cluster, index);
        return stats.ok() && stats->total_bytes > 0 && stats->free_bytes < kChunkBytes;
      },
      kStatusDeadline);
}

// Flips one bit of a file, as rot on the disk would.
void FlipBit(const std::string& path, int64_t offset) {
  std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
  file.seekg(offset);
  char c = 0;
  file.read(&c, 1);
  c = static_cast<char>(c ^ 0x04);
  file.seekp(offset);
  file.write(&c, 1);
  file.flush();
  ASSERT_TRUE(file.good()) << "cannot flip a bit of " << path;
}

bool LogContains(testing::DaemonProcess& process, const std::string& text) {
  std::ifstream log(process.log_path());
  std::string line;
  while (std::getline(log, line)) {
    if (line.find(text) != std::string::npos) return true;
  }
  return false;
}

// ---- the scrubber ----

class ChunkScrubTest : public ChunkFaultTest {
 protected:
  testing::ClusterOptions Options() const override {
    testing::ClusterOptions options = ChunkFaultTest::Options();
    // Fast passes, so that the test need not wait out the default 30 s pause.
    options.extra_chunk_server_flags = {"--scrub-mbps", "200", "--scrub-pause-ms", "300"};
    return options;
  }
};

TEST_P(ChunkScrubTest, FlippedByteNobodyReadsIsFoundByTheScrubberAndRepaired) {
  const ReplicaCensus before = WriteFiles({9 * kMiB, 20 * kMiB + 3, 5 * kMiB});
  ASSERT_FALSE(HasFailure());
  const auto& [chunk_id, places] = *before.chunks.begin();
  const int server = *places.on_disk.begin();
  const std::string path = places.paths.at(server);
  FlipBit(path, kChunkFileHeaderBytes + 123'457);
  const auto flipped_at = steady_clock::now();
  std::cout << "[ flipped  ] a bit of chunk " << ChunkIdHex(chunk_id) << " on cs" << server + 1
            << std::endl;

  // No one reads the file: only the scrubber can find the bad copy and move it aside.
  const fs::path set_aside = fs::path(path).parent_path().parent_path().parent_path() / "corrupt" /
                             fs::path(path).filename();
  ASSERT_TRUE(PollUntil([&] { return fs::exists(set_aside); }, kRepairDeadline))
      << path << " was never set aside";
  const double found_after = SecondsSince(flipped_at);
  EXPECT_FALSE(fs::exists(path));
  EXPECT_TRUE(
      LogContains(cluster_->chunk_server(server), "scrub of chunk " + std::to_string(chunk_id)));

  Result<ReplicaCensus> repaired =
      WaitForEveryChunkAt(*cluster_, chunks_, kGoal, Leftovers::kNone, kRepairDeadline);
  ASSERT_TRUE(repaired.ok()) << "after the scrubber set a corrupt copy aside: "
                             << repaired.status().ToString();
  const double repaired_after = SecondsSince(flipped_at);
  std::cout << "[ scrub    ] bad copy set aside " << found_after << " s after the flip; chunk "
            << "back at " << kGoal << " good replicas " << repaired_after << " s after it"
            << std::endl;
  RecordProperty("found_after_ms", static_cast<int>(found_after * 1000));
  RecordProperty("repaired_after_ms", static_cast<int>(repaired_after * 1000));
  ExpectReplicasAndStatusRight(*repaired);
  ExpectFilesReadBack("after the repair");
}

INSTANTIATE_TEST_SUITE_P(Masters, ChunkScrubTest, ::testing::Values(1), MastersName);

// ---- a data directory that fails ----

class ChunkDataDirFailureTest : public ChunkFaultTest {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "tessera-dirs-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    root_ = pattern;
    dirs_ = {root_ + "/disk-a", root_ + "/disk-b"};
    ChunkFaultTest::SetUp();
  }

  void TearDown() override {
    ChunkFaultTest::TearDown();  // stops the daemons first
    if (!root_.empty()) {
      ::chmod(dirs_[1].c_str(), 0755);
      std::error_code ignored;
      fs::remove_all(root_, ignored);
    }
  }

  testing::ClusterOptions Options() const override {
    testing::ClusterOptions options = ChunkFaultTest::Options();
    // cs1 has two data dirs and runs without the capabilities that let root ignore
    // permission bits, so that chmod 000 makes one of its dirs fail for it.
    options.chunk_server_data_dirs[0] = dirs_;
    options.chunk_server_command_prefix[0] = {"/usr/bin/setpriv",
                                              "--bounding-set=-dac_override,-dac_read_search"};
    return options;
  }

  std::string root_;
  std::vector<std::string> dirs_;
};

TEST_P(ChunkDataDirFailureTest, UnreadableDataDirIsTakenOutAndItsChunksReReplicated) {
  WriteFiles({70 * kMiB, 41 * kMiB, 23 * kMiB + 4097, 12 * kMiB});
  ASSERT_FALSE(HasFailure());
  Result<std::vector<ChunkFileOnDisk>> in_b = ScanChunkFiles(dirs_[1]);
  ASSERT_TRUE(in_b.ok()) << in_b.status().ToString();
  Result<std::vector<ChunkFileOnDisk>> in_a = ScanChunkFiles(dirs_[0]);
  ASSERT_TRUE(in_a.ok()) << in_a.status().ToString();
  ASSERT_GE(in_b->size(), 1u) << "cs1 put no chunk in its second data dir";
  std::cout << "[ disks    ] cs1 holds " << in_a->size() << " chunks in " << dirs_[0] << " and "
            << in_b->size() << " in " << dirs_[1] << "; chmod 000 of the latter" << std::endl;

  ASSERT_EQ(::chmod(dirs_[1].c_str(), 0), 0);
  const auto failed_at = steady_clock::now();

  // The operator sees the failed dir in `tessera status`.
  const std::string cs1 = cluster_->chunk_server_address(0).ToString();
  Result<CliStatus> cli = Status::Unavailable("not asked yet");
  const bool shown = PollUntil(
      [&] {
        cli = RunCliStatus(*cluster_);
        if (!cli.ok()) return false;
        for (const CliChunkServer& server : cli->chunk_servers) {
          if (server.address == cs1) {
            return server.alive && server.data_dirs_ok == 1 && server.data_dirs_failed == 1;
          }
        }
        return false;
      },
      kStatusDeadline);
  ASSERT_TRUE(shown) << "tessera status never showed cs1 with one failed data dir";
  EXPECT_TRUE(LogContains(cluster_->chunk_server(0), "data dir " + dirs_[1] + " failed"));

  // Its chunks there count as lost and come back to the goal on other servers (or in cs1's
  // good dir); the files in the failed dir are no replicas any more.
  ASSERT_OK(cluster_->DropChunkServerDataDir(0, dirs_[1]));
  Result<ReplicaCensus> repaired =
      WaitForEveryChunkAt(*cluster_, chunks_, kGoal, Leftovers::kNone, kRepairDeadline);
  ASSERT_TRUE(repaired.ok()) << "after cs1's data dir failed: " << repaired.status().ToString();
  const double repaired_after = SecondsSince(failed_at);
  std::cout << "[ repair   ] every chunk back at " << kGoal << " replicas " << repaired_after
            << " s after the chmod" << std::endl;
  RecordProperty("repaired_after_ms", static_cast<int>(repaired_after * 1000));
  EXPECT_TRUE(cluster_->chunk_server(0).Running()) << "cs1 must keep serving from its good dir";
  ExpectReplicasAndStatusRight(*repaired);
  ExpectFilesReadBack("after the data dir failed");
}

INSTANTIATE_TEST_SUITE_P(Masters, ChunkDataDirFailureTest, ::testing::Values(1), MastersName);

// ---- full disks ----

class ChunkFullServerTest : public ChunkFaultTest {
 protected:
  void SetUp() override {
    Result<std::unique_ptr<TmpfsMount>> tmpfs = TmpfsMount::Mount(128 * kMiB);
    ASSERT_TRUE(tmpfs.ok()) << tmpfs.status().ToString();
    tmpfs_ = std::move(tmpfs).value();
    ChunkFaultTest::SetUp();
  }

  void TearDown() override {
    ChunkFaultTest::TearDown();  // the chunk server leaves the tmpfs before it is unmounted
    tmpfs_.reset();
  }

  testing::ClusterOptions Options() const override {
    testing::ClusterOptions options = ChunkFaultTest::Options();
    options.chunk_server_data_dirs[0] = {tmpfs_->path() + "/data"};
    return options;
  }

  std::unique_ptr<TmpfsMount> tmpfs_;
};

TEST_P(ChunkFullServerTest, FullServerGetsNoReplicaOfNewFilesAndWritesGoOn) {
  ASSERT_OK(tmpfs_->FillLeaving("filler", 32 * kMiB));
  ASSERT_TRUE(WaitUntilMasterSeesFull(*cluster_, 0))
      << "the master never saw cs1 with less than a chunk free";

  const ReplicaCensus census = WriteFiles({9 * kMiB, 70 * kMiB, 20 * kMiB + 3});
  ASSERT_FALSE(HasFailure());
  for (const auto& [id, places] : census.chunks) {
    EXPECT_EQ(places.on_disk.count(0), 0u) << "chunk " << ChunkIdHex(id) << " has a replica on "
                                           << "the full cs1:\n"
                                           << census.Describe();
    EXPECT_EQ(places.in_master.count(0), 0u) << census.Describe();
  }
  Result<std::vector<ChunkFileOnDisk>> on_full = ScanChunkFiles(cluster_->chunk_server_data_dir(0));
  ASSERT_TRUE(on_full.ok()) << on_full.status().ToString();
  EXPECT_TRUE(on_full->empty()) << on_full->size() << " chunk files on the full cs1";
  std::cout << "[ full     ] " << chunks_.size() << " chunks written at goal " << kGoal
            << " on the four servers with room" << std::endl;
  ExpectFilesReadBack("with one server full");
}

// A chunk placed on cs1 (the emptiest server) keeps growing after cs1 fills up: the next write
// lease leaves cs1 out (its copy turns stale), the append succeeds on the others, and the chunk
// is copied back to goal on a server with room.
TEST_P(ChunkFullServerTest, AChunkGrowingOnAServerThatFillsUpGoesOnWithoutIt) {
  // Placement ranks a server whose space it does not know yet last: wait for every heartbeat.
  for (int i = 0; i < kChunkServers; ++i) {
    ASSERT_TRUE(PollUntil(
        [&] {
          Result<rpc::ChunkServerStats> stats = MasterStatsOf(*cluster_, i);
          return stats.ok() && stats->total_bytes > 0;
        },
        kStatusDeadline))
        << "the master never learned the space of cs" << i + 1;
  }
  const ReplicaCensus census = WriteFiles({4 * kMiB});
  ASSERT_FALSE(HasFailure());
  const int64_t chunk_id = chunks_.front().chunk_id;
  ASSERT_TRUE(census.chunks.at(chunk_id).on_disk.contains(0))
      << "cs1, the emptiest server, should hold the chunk:\n" << census.Describe();
  std::string content;
  {
    std::ifstream in(files_.front().path, std::ios::binary);
    content.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  ASSERT_EQ(static_cast<int64_t>(content.size()), 4 * kMiB);
  ASSERT_OK(tmpfs_->FillLeaving("filler", 16 * kMiB));
  ASSERT_TRUE(WaitUntilMasterSeesFull(*cluster_, 0))
      << "the master never saw cs1 with less than a chunk free";

  std::string appended(40 * kMiB, '\0');
  std::mt19937_64 random(11);
  for (auto& byte : appended) byte = static_cast<char>(random());
  const int fd = ::open(files_.front().path.c_str(), O_WRONLY | O_APPEND);
  ASSERT_GE(fd, 0) << std::strerror(errno);
  const ssize_t wrote = ::write(fd, appended.data(), appended.size());
  const int write_errno = errno;
  ASSERT_EQ(::close(fd), 0) << "close after the append: " << std::strerror(errno);
  ASSERT_EQ(wrote, static_cast<ssize_t>(appended.size())) << std::strerror(write_errno);
  content += appended;

  Sha256 digest;
  digest.Update(content);
  files_.front().size = static_cast<int64_t>(content.size());
  files_.front().sha256 = digest.Hex();
  files_.front().chunk_sha256 = {files_.front().sha256};
  chunks_.front().length = files_.front().size;
  chunks_.front().sha256 = files_.front().sha256;
  Result<ReplicaCensus> repaired =
      WaitForEveryChunkAt(*cluster_, chunks_, kGoal, Leftovers::kNone, kRepairDeadline);
  ASSERT_TRUE(repaired.ok()) << repaired.status().ToString();
  EXPECT_FALSE(repaired->chunks.at(chunk_id).on_disk.contains(0)) << repaired->Describe();
  std::cout << "[ full     ] 40 MiB appended to a chunk on the full cs1; the chunk went on "
            << "without it and is back at goal " << kGoal << " elsewhere" << std::endl;
  ExpectReplicasAndStatusRight(*repaired);
  ExpectFilesReadBack("after the append past a full server");
}

INSTANTIATE_TEST_SUITE_P(Masters, ChunkFullServerTest, ::testing::Values(1), MastersName);

// Three chunk servers, each on a 100 MiB tmpfs, goal 3: one 60 MiB file fits, then no server has
// room for a new chunk and the next write fails with ENOSPC.
class ChunkServersAllFullTest : public TmpfsServersFaultTest {
 protected:
  static constexpr int kServers = 3;

  ChunkServersAllFullTest() : TmpfsServersFaultTest(kServers, 100 * kMiB) {}

  testing::ClusterOptions Options() const override {
    testing::ClusterOptions options;
    options.masters = 1;
    options.chunk_servers = kServers;
    options.default_goal = kServers;
    PlaceDataDirsOnTmpfs(options);
    return options;
  }
};

// Writes `size` bytes to a new file in 1 MiB pieces, then fsync and close; returns the errno of
// the first call that failed (0 when all succeeded).
int WriteFileErrno(const std::string& path, int64_t size) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644);
  if (fd < 0) return errno;
  const std::string piece(1 << 20, 'x');
  int error = 0;
  for (int64_t done = 0; done < size && error == 0; done += static_cast<int64_t>(piece.size())) {
    if (::write(fd, piece.data(), piece.size()) < 0) error = errno;
  }
  if (error == 0 && ::fsync(fd) != 0) error = errno;
  if (::close(fd) != 0 && error == 0) error = errno;
  return error;
}

TEST_F(ChunkServersAllFullTest, EnospcReachesTheApplicationOnlyWhenNoServerHasRoom) {
  Result<WrittenFile> fits = WriteRandomFile(mountpoint_ + "/fits", 60 * kMiB, /*seed=*/7);
  ASSERT_TRUE(fits.ok()) << "a file that fits on every server: " << fits.status().ToString();
  for (int i = 0; i < kServers; ++i) {
    ASSERT_TRUE(WaitUntilMasterSeesFull(*cluster_, i))
        << "the master never saw cs" << i + 1 << " with less than a chunk free";
  }

  const auto started = steady_clock::now();
  const int error = WriteFileErrno(mountpoint_ + "/does-not-fit", 8 * kMiB);
  const double took = SecondsSince(started);
  EXPECT_EQ(error, ENOSPC) << "got " << std::strerror(error);
  // The master's NO_SPACE is final: the client does not wait out its 30 s of rewrites.
  EXPECT_LT(took, 20.0);
  std::cout << "[ full     ] the write into a full cluster failed with " << std::strerror(error)
            << " after " << took << " s" << std::endl;

  Status read_back = VerifyFilesThroughMount({*fits});
  EXPECT_TRUE(read_back.ok()) << read_back.ToString();
}

}  // namespace
}  // namespace tessera::fault
