// Balancing on real processes: five chunk servers on 256 MiB tmpfs mounts, goal 2, one mount.
//
// Three servers are filled with files of random content while the other two are down; then the
// two join empty, and `tessera balance --threshold 10 --bandwidth 12 --json` (the CLI, as an
// operator runs it) must move replicas until every server's use is within 10 points of the mean,
// while a writer keeps rewriting pieces of files through the mount (no write may fail; the space
// used stays). Afterwards: the new servers hold chunks, every chunk has exactly its two replicas
// with the data written, fsck is clean and every file reads back with the checksum written. With
// three masters the leader is killed with kill -9 once the balance has moved something: the next
// leader must go on with it (the start is in the Raft log) and still end balanced.
//
// A master started with --auto-balance-threshold 10 does the same without an operator.
//
// The CLI's bad arguments exit with 2 and say what is wrong; --stop with no balance running
// exits 1 with NOT_FOUND; --status --json is one JSON object.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <boost/property_tree/json_parser.hpp>
#include <boost/property_tree/ptree.hpp>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/fault/chunk_fault_fixture.h"
#include "tests/fault/chunk_replica_scan.h"
#include "tests/fault/chunk_test_files.h"
#include "tests/fault/cli_run.h"
#include "tests/fault/tmpfs_servers_fixture.h"

namespace tessera::fault {
namespace {

using std::chrono::steady_clock;

constexpr int kServers = 5;
constexpr int kFirstServers = 3;  // filled before the other two join
constexpr int kBalanceGoal = 2;
constexpr int64_t kServerBytes = 256 * kMiB;
constexpr double kThresholdPct = 10;
constexpr std::chrono::milliseconds kBalanceDeadline = std::chrono::seconds(120);

// Rewrites 1 MiB pieces of existing files through the mount (open, pwrite, fsync, close), one
// after the other, until stopped, so that chunks are written while the balance moves them and
// the used space stays as it is; keeps what each file must hold and counts the writes that
// failed.
class MountRewriter {
 public:
  // REQUIRES: every file exists, holds `contents[i]` and is a multiple of kPiece long.
  MountRewriter(std::vector<std::string> paths, std::vector<std::string> contents)
      : paths_(std::move(paths)), contents_(std::move(contents)), thread_([this] { Run(); }) {}
  ~MountRewriter() { Stop(); }

  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  // After Stop(): what the files must hold now.
  std::vector<WrittenFile> Expected() const {
    std::vector<WrittenFile> files;
    for (size_t i = 0; i < paths_.size(); ++i) {
      Sha256 digest;
      digest.Update(contents_[i]);
      files.push_back({paths_[i], static_cast<int64_t>(contents_[i].size()), digest.Hex(), {}});
    }
    return files;
  }
  int writes() const { return writes_; }
  int failures() const { return failures_; }
  const std::string& first_failure() const { return first_failure_; }

 private:
  static constexpr int64_t kPiece = kMiB;

  void Run() {
    std::mt19937_64 random(77);
    for (int i = 0; !stop_; ++i) {
      const size_t file = static_cast<size_t>(i) % paths_.size();
      const int64_t pieces = static_cast<int64_t>(contents_[file].size()) / kPiece;
      const int64_t offset =
          static_cast<int64_t>(random() % static_cast<uint64_t>(pieces)) * kPiece;
      std::string piece(kPiece, '\0');
      for (char& byte : piece) byte = static_cast<char>(random());
      const std::string failed = WritePiece(paths_[file], offset, piece);
      if (!failed.empty()) {
        if (failures_++ == 0) first_failure_ = failed;
        continue;  // what the file holds there is now unknown: the check will say so
      }
      contents_[file].replace(static_cast<size_t>(offset), piece.size(), piece);
      ++writes_;
    }
  }

  // "" when the piece is written and synced, else what failed.
  static std::string WritePiece(const std::string& path, int64_t offset, const std::string& piece) {
    const int fd = ::open(path.c_str(), O_WRONLY);
    if (fd < 0) return path + ": open: " + std::strerror(errno);
    std::string failed;
    if (::pwrite(fd, piece.data(), piece.size(), offset) != static_cast<ssize_t>(piece.size())) {
      failed = path + ": pwrite: " + std::strerror(errno);
    } else if (::fsync(fd) != 0) {
      failed = path + ": fsync: " + std::strerror(errno);
    }
    if (::close(fd) != 0 && failed.empty()) failed = path + ": close: " + std::strerror(errno);
    return failed;
  }

  const std::vector<std::string> paths_;
  std::vector<std::string> contents_;  // the writer thread's until Stop() joins it
  std::atomic<bool> stop_{false};
  std::atomic<int> writes_{0};
  std::atomic<int> failures_{0};
  std::string first_failure_;
  std::thread thread_;  // last: starts once the members above exist
};

// The whole content of a file.
std::string ReadWhole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

struct ServerUse {
  int index = -1;
  double use_pct = 0;
};

// Every JSON object line of the CLI's output (it interleaves notices on stderr).
std::vector<boost::property_tree::ptree> JsonLines(const std::string& output) {
  std::vector<boost::property_tree::ptree> lines;
  std::istringstream in(output);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line.front() != '{') continue;
    std::istringstream json(line);
    boost::property_tree::ptree tree;
    boost::property_tree::read_json(json, tree);  // throws on a malformed line: test fails
    lines.push_back(std::move(tree));
  }
  return lines;
}

class ChunkBalanceTest : public TmpfsServersFaultTest,
                         public ::testing::WithParamInterface<int> {
 protected:
  ChunkBalanceTest() : TmpfsServersFaultTest(kServers, kServerBytes) {}

  testing::ClusterOptions Options() const override {
    testing::ClusterOptions options;
    options.masters = GetParam();
    options.chunk_servers = kServers;
    options.default_goal = kBalanceGoal;
    options.heartbeat_ms = 200;
    options.chunkserver_timeout_ms = 2000;
    PlaceDataDirsOnTmpfs(options);
    return options;
  }

  // The use of every alive chunk server the leader lists, by cluster index; empty while one has
  // not reported its space yet.
  std::vector<ServerUse> Uses() {
    Result<rpc::ClusterStatus> status = cluster_->QueryClusterStatus();
    if (!status.ok()) return {};
    std::vector<ServerUse> uses;
    for (const rpc::ChunkServerStatus& server : status->chunk_servers) {
      if (!server.alive) continue;
      if (server.stats.total_bytes <= 0) return {};
      Result<int> index = cluster_->ChunkServerIndexByPort(server.info.port);
      if (!index.ok()) return {};
      const double used = static_cast<double>(server.stats.total_bytes - server.stats.free_bytes);
      uses.push_back({*index, 100 * used / static_cast<double>(server.stats.total_bytes)});
    }
    return uses;
  }

  static double MaxDeviation(const std::vector<ServerUse>& uses, double* mean) {
    double sum = 0;
    for (const ServerUse& use : uses) sum += use.use_pct;  // equal capacities: a plain mean
    *mean = uses.empty() ? 0 : sum / static_cast<double>(uses.size());
    double farthest = 0;
    for (const ServerUse& use : uses) farthest = std::max(farthest, std::abs(use.use_pct - *mean));
    return farthest;
  }

  static std::string Describe(const std::vector<ServerUse>& uses) {
    std::ostringstream out;
    for (const ServerUse& use : uses) out << " cs" << use.index + 1 << "=" << use.use_pct << "%";
    return out.str();
  }

  // Polls until all `count` servers are alive with known space; returns their uses.
  std::vector<ServerUse> WaitForUses(size_t count) {
    const auto give_up = steady_clock::now() + kStatusDeadline;
    std::vector<ServerUse> uses;
    while (steady_clock::now() < give_up) {
      uses = Uses();
      if (uses.size() == count) return uses;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "never saw " << count << " chunk servers with their space:" << Describe(uses);
    return uses;
  }

  // The leader's balance status, straight over RPC.
  Result<rpc::BalanceStatus> LeaderBalanceStatus() {
    Result<int> leader = cluster_->WaitForLeader(kStatusDeadline);
    if (!leader.ok()) return leader.status();
    rpc::BalanceStatus status;
    RpcOutcome outcome = cluster_->master_rpc().Call(
        cluster_->master_address(*leader),
        [&](rpc::MasterServiceClient& client) { client.balanceStatus(status); });
    if (!outcome.status.ok()) return outcome.status;
    return status;
  }

  // kill -9 of the leader once the balance moved something and is not done.
  void KillLeaderDuringBalance() {
    const auto give_up = steady_clock::now() + kBalanceDeadline;
    while (steady_clock::now() < give_up) {
      Result<rpc::BalanceStatus> status = LeaderBalanceStatus();
      if (status.ok() && status->state == "running" && status->bytes_moved > 0) {
        Result<int> leader = cluster_->WaitForLeader(kStatusDeadline);
        ASSERT_TRUE(leader.ok()) << leader.status().ToString();
        ASSERT_OK(cluster_->master(*leader).Kill());
        std::cout << "[ leader   ] master " << cluster_->master_id(*leader) << " killed after "
                  << status->bytes_moved << " bytes moved" << std::endl;
        return;
      }
      ASSERT_FALSE(status.ok() && status->state == "done")
          << "the balance ended before the leader could be killed";
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    FAIL() << "the balance never moved anything";
  }

  // The files are written while only the first servers run: they fill those.
  void FillFirstServers() {
    // Only the first three servers while the files are written.
    for (int i = kFirstServers; i < kServers; ++i) ASSERT_OK(cluster_->chunk_server(i).Kill());
    ASSERT_OK(cluster_->WaitForExactlyAliveChunkServers(kFirstServers, kDeathDeadline));
    for (int i = 0; i < 30; ++i) {
      Result<WrittenFile> file =
          WriteRandomFile(mountpoint_ + "/file-" + std::to_string(i), 8 * kMiB, 1000 + i);
      ASSERT_TRUE(file.ok()) << file.status().ToString();
      files_.push_back(std::move(*file));
    }
    Result<std::vector<ExpectedChunk>> chunks = ChunksOfFiles(*cluster_, files_);
    ASSERT_TRUE(chunks.ok()) << chunks.status().ToString();
    chunks_ = std::move(*chunks);
  }

  // The other servers join, empty; the cluster must then be out of balance.
  void JoinEmptyServers() {
    for (int i = kFirstServers; i < kServers; ++i) ASSERT_OK(cluster_->RestartChunkServer(i));
    ASSERT_OK(cluster_->WaitForExactlyAliveChunkServers(kServers, kDeathDeadline));
    const std::vector<ServerUse> before = WaitForUses(kServers);
    double mean = 0;
    const double deviation_before = MaxDeviation(before, &mean);
    std::cout << "[ before   ] mean use " << mean << "%, farthest " << deviation_before
              << " points off:" << Describe(before) << std::endl;
    ASSERT_GT(deviation_before, kThresholdPct) << "the test needs an unbalanced cluster";
  }

  // Every server within the threshold, every chunk at its goal with the data written, the new
  // servers used, fsck clean and every file as written.
  void ExpectBalancedAndIntact(std::chrono::milliseconds deadline) {
    double mean = 0;
    // Every server within the threshold, as the servers themselves report their space (once the
    // dropped copies are deleted and reported).
    std::vector<ServerUse> after;
    double deviation_after = 100;
    const auto give_up = steady_clock::now() + deadline;
    while (steady_clock::now() < give_up) {
      after = Uses();
      if (after.size() == kServers &&
          (deviation_after = MaxDeviation(after, &mean)) <= kThresholdPct) {
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    std::cout << "[ after    ] mean use " << mean << "%, farthest " << deviation_after
              << " points off:" << Describe(after) << std::endl;
    EXPECT_LE(deviation_after, kThresholdPct) << Describe(after);

    // Every chunk at its goal, no copy left behind, the data intact, the new servers used.
    Result<ReplicaCensus> census =
        WaitForEveryChunkAt(*cluster_, chunks_, kBalanceGoal, Leftovers::kNone, kStatusDeadline);
    ASSERT_TRUE(census.ok()) << census.status().ToString();
    ASSERT_OK(VerifyReplicaContents(*census, chunks_));
    for (int i = kFirstServers; i < kServers; ++i) {
      Result<std::vector<ChunkFileOnDisk>> on_disk =
          ScanChunkFiles(cluster_->chunk_server_data_dir(i));
      ASSERT_TRUE(on_disk.ok()) << on_disk.status().ToString();
      EXPECT_GT(on_disk->size(), 0u) << "cs" << i + 1 << " joined empty and got nothing";
    }
    Result<CliResult> fsck = RunCli(*cluster_, "fsck", {"fsck"});
    ASSERT_TRUE(fsck.ok()) << fsck.status().ToString();
    EXPECT_EQ(fsck->exit_code, 0) << fsck->output;
    ASSERT_OK(VerifyFilesThroughMount(files_));
  }

  std::vector<WrittenFile> files_;
  std::vector<ExpectedChunk> chunks_;
};

TEST_P(ChunkBalanceTest, NewEmptyServersGetTheirShareWhileAWriterWrites) {
  ASSERT_NO_FATAL_FAILURE(FillFirstServers());
  // Files the rewriter changes during the balance: on the full servers too.
  std::vector<std::string> rewritten;
  std::vector<std::string> rewritten_contents;
  for (int i = 0; i < 4; ++i) {
    Result<WrittenFile> file =
        WriteRandomFile(mountpoint_ + "/rewritten-" + std::to_string(i), 8 * kMiB, 3000 + i);
    ASSERT_TRUE(file.ok()) << file.status().ToString();
    rewritten.push_back(file->path);
    rewritten_contents.push_back(ReadWhole(file->path));
    ASSERT_EQ(static_cast<int64_t>(rewritten_contents.back().size()), file->size);
  }

  ASSERT_NO_FATAL_FAILURE(JoinEmptyServers());

  MountRewriter writer(std::move(rewritten), std::move(rewritten_contents));
  const auto started = steady_clock::now();
  Result<std::unique_ptr<testing::DaemonProcess>> cli = StartCli(
      *cluster_, "balance",
      {"balance", "--threshold", "10", "--bandwidth", "12", "--json", "--interval-ms", "500"});
  ASSERT_TRUE(cli.ok()) << cli.status().ToString();
  if (GetParam() > 1) KillLeaderDuringBalance();
  Result<CliResult> done = FinishCli(**cli, kBalanceDeadline);
  const double took = SecondsSince(started);
  writer.Stop();
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  std::cout << "[ cli      ] tessera balance exited " << done->exit_code << " after " << took
            << " s; " << writer.writes() << " pieces of 1 MiB rewritten meanwhile" << std::endl;
  ASSERT_EQ(done->exit_code, 0) << done->output;
  // The next leader went on with the balance from the log: the CLI did not start it again.
  EXPECT_EQ(done->output.find("starting it there again"), std::string::npos) << done->output;
  EXPECT_EQ(writer.failures(), 0) << "first failed write: " << writer.first_failure();
  EXPECT_GT(writer.writes(), 0);

  // Progress lines every interval, then one summary; all parse as JSON.
  const std::vector<boost::property_tree::ptree> lines = JsonLines(done->output);
  ASSERT_GE(lines.size(), 2u) << done->output;
  for (size_t i = 0; i + 1 < lines.size(); ++i) {
    EXPECT_EQ(lines[i].get<std::string>("event"), "progress");
    EXPECT_GE(lines[i].get<int64_t>("bytes_remaining"), 0);
    EXPECT_GE(lines[i].get<int64_t>("rate_bytes_per_sec"), 0);
  }
  const boost::property_tree::ptree& summary = lines.back();
  EXPECT_EQ(summary.get<std::string>("event"), "done") << done->output;
  EXPECT_LE(summary.get<double>("max_deviation_pct"), kThresholdPct);
  const auto moved = summary.get<int64_t>("bytes_moved");
  EXPECT_GT(moved, 0);
  // Unlimited, the moves run at about 20 MB/s on a 2-core machine.
  EXPECT_LE(summary.get<double>("rate_bytes_per_sec"), 12e6 * 1.05);
  EXPECT_EQ(summary.get<int64_t>("bandwidth_bytes_per_sec"), 12'000'000);
  std::cout << "[ balance  ] " << moved << " bytes in " << summary.get<int64_t>("moves_done")
            << " moves, " << summary.get<int64_t>("rate_bytes_per_sec") << " bytes/s, "
            << lines.size() - 1 << " progress lines" << std::endl;
  RecordProperty("bytes_moved", std::to_string(moved));
  RecordProperty("balance_ms", static_cast<int>(took * 1000));

  ASSERT_NO_FATAL_FAILURE(ExpectBalancedAndIntact(kStatusDeadline));
  ASSERT_OK(VerifyFilesThroughMount(writer.Expected()));
}

INSTANTIATE_TEST_SUITE_P(Masters, ChunkBalanceTest, ::testing::Values(1, 3), MastersName);

// A master started with --auto-balance-threshold balances by itself, at its own rate.
class ChunkAutoBalanceTest : public ChunkBalanceTest {
 protected:
  testing::ClusterOptions Options() const override {
    testing::ClusterOptions options = ChunkBalanceTest::Options();
    options.extra_master_flags = {"--auto-balance-threshold", "10", "--auto-balance-mbps", "40"};
    return options;
  }
};

TEST_P(ChunkAutoBalanceTest, NewEmptyServersGetTheirShareWithoutAnOperator) {
  ASSERT_NO_FATAL_FAILURE(FillFirstServers());
  ASSERT_NO_FATAL_FAILURE(JoinEmptyServers());
  const auto joined = steady_clock::now();
  ASSERT_NO_FATAL_FAILURE(ExpectBalancedAndIntact(kBalanceDeadline));
  std::cout << "[ auto     ] balanced " << SecondsSince(joined) << " s after the servers joined"
            << std::endl;
  Result<rpc::BalanceStatus> status = LeaderBalanceStatus();
  ASSERT_TRUE(status.ok()) << status.status().ToString();
  EXPECT_TRUE(status->automatic);
  EXPECT_EQ(status->state, "idle");  // no operator's balance ran
  EXPECT_EQ(status->threshold_pct, 10);
  EXPECT_EQ(status->bandwidth_bytes_per_sec, 40'000'000);
}

INSTANTIATE_TEST_SUITE_P(Masters, ChunkAutoBalanceTest, ::testing::Values(1), MastersName);

class ChunkBalanceCliTest : public ChunkBalanceTest {};

TEST_P(ChunkBalanceCliTest, BadArgumentsStopAndStatus) {
  const std::vector<std::vector<std::string>> bad = {
      {"balance", "--threshold", "0"},   {"balance", "--threshold", "51"},
      {"balance", "--threshold", "ten"}, {"balance", "--threshold", "nan"},
      {"balance", "--threshold"},        {"balance", "--bandwidth", "-5"},
      {"balance", "--bandwidth", "0"},   {"balance", "--interval-ms", "5"},
      {"balance", "--status", "--stop"}, {"balance", "--stop", "--no-wait"},
      {"balance", "--frobnicate"},       {"balance", "now"},
  };
  for (const std::vector<std::string>& args : bad) {
    Result<CliResult> run = RunCli(*cluster_, "balance-bad", args);
    ASSERT_TRUE(run.ok()) << run.status().ToString();
    EXPECT_EQ(run->exit_code, 2) << args.back() << ": " << run->output;
    EXPECT_NE(run->output.find("tessera: balance: "), std::string::npos) << run->output;
  }
  Result<CliResult> stop = RunCli(*cluster_, "balance-stop", {"balance", "--stop"});
  ASSERT_TRUE(stop.ok()) << stop.status().ToString();
  EXPECT_EQ(stop->exit_code, 1) << stop->output;
  EXPECT_NE(stop->output.find("NOT_FOUND"), std::string::npos) << stop->output;

  // A balanced (empty) cluster: started without waiting, then done by the next round.
  Result<CliResult> started =
      RunCli(*cluster_, "balance-start", {"balance", "--no-wait", "--json", "--bandwidth", "5"});
  ASSERT_TRUE(started.ok()) << started.status().ToString();
  ASSERT_EQ(started->exit_code, 0) << started->output;
  const std::vector<boost::property_tree::ptree> start_lines = JsonLines(started->output);
  ASSERT_EQ(start_lines.size(), 1u) << started->output;
  EXPECT_EQ(start_lines[0].get<int64_t>("bandwidth_bytes_per_sec"), 5'000'000);
  const auto give_up = steady_clock::now() + kStatusDeadline;
  std::string state;
  while (steady_clock::now() < give_up && state != "done") {
    Result<CliResult> status =
        RunCli(*cluster_, "balance-status", {"balance", "--status", "--json"});
    ASSERT_TRUE(status.ok()) << status.status().ToString();
    ASSERT_EQ(status->exit_code, 0) << status->output;
    const std::vector<boost::property_tree::ptree> lines = JsonLines(status->output);
    ASSERT_EQ(lines.size(), 1u) << status->output;
    state = lines[0].get<std::string>("state");
  }
  EXPECT_EQ(state, "done");
  Result<CliResult> text = RunCli(*cluster_, "balance-status-text", {"balance", "--status"});
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  EXPECT_EQ(text->exit_code, 0) << text->output;
  EXPECT_NE(text->output.find("balance done: mean use "), std::string::npos) << text->output;
}

INSTANTIATE_TEST_SUITE_P(Masters, ChunkBalanceCliTest, ::testing::Values(1), MastersName);

}  // namespace
}  // namespace tessera::fault
