// Draining on real processes: five chunk servers, goal 3, one mount, files of random content.
//
// `tessera decommission ID` (the CLI, as an operator runs it) must move every replica off the
// chunk server holding the most chunks while a reader keeps reading every file through the
// mount (no read may fail), show progress, and end with "it can be switched off". Then the
// server's data directory must hold no chunk file, every chunk must have exactly three
// replicas on the other servers, fsck must say healthy, and every replica and every file must
// hold the data written. A file written afterwards must get no replica on the drained server.
// With three masters the leader is killed with kill -9 just after the decommission started:
// the next leader must go on draining (the CLI fails if the server stops draining).
//
// The CLI's bad arguments exit with 2, an unknown server with 1 and a NOT_FOUND message, and
// a cancelled decommission puts the server back in service.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tests/fault/chunk_fault_fixture.h"
#include "tests/fault/chunk_replica_scan.h"
#include "tests/fault/cli_run.h"

namespace tessera::fault {
namespace {

using std::chrono::steady_clock;

// Reads every file through the mount, again and again, until stopped; counts the rounds and
// the reads that failed or returned other bytes.
class MountReader {
 public:
  explicit MountReader(std::vector<WrittenFile> files)
      : files_(std::move(files)), thread_([this] { Run(); }) {}
  ~MountReader() { Stop(); }

  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  int rounds() const { return rounds_; }
  int failures() const { return failures_; }
  const std::string& first_failure() const { return first_failure_; }

 private:
  void Run() {
    while (!stop_) {
      for (const WrittenFile& file : files_) {
        Result<std::string> digest = Sha256OfFile(file.path);
        if (!digest.ok() || *digest != file.sha256) {
          if (failures_++ == 0) {
            first_failure_ = file.path + ": " +
                             (digest.ok() ? "other bytes than written" : digest.status().ToString());
          }
        }
      }
      ++rounds_;
    }
  }

  const std::vector<WrittenFile> files_;
  std::atomic<bool> stop_{false};
  std::atomic<int> rounds_{0};
  std::atomic<int> failures_{0};
  std::string first_failure_;  // written by the reader thread only before Stop() joins it
  std::thread thread_;         // last: starts once the members above exist
};

class ChunkDecommissionTest : public ChunkFaultTest {
 protected:
  // The chunk server id the master knows for server index `index`.
  int64_t ServerIdOf(int index) {
    Result<rpc::ClusterStatus> status = cluster_->QueryClusterStatus();
    EXPECT_TRUE(status.ok()) << status.status().ToString();
    if (!status.ok()) return 0;
    for (const rpc::ChunkServerStatus& server : status->chunk_servers) {
      if (server.info.port == cluster_->chunk_server_address(index).port) {
        return server.info.server_id;
      }
    }
    ADD_FAILURE() << "cs" << index + 1 << " is not registered";
    return 0;
  }

  int ChunkFilesOn(int index) {
    Result<std::vector<ChunkFileOnDisk>> files =
        ScanChunkFiles(cluster_->chunk_server_data_dir(index));
    EXPECT_TRUE(files.ok()) << files.status().ToString();
    return files.ok() ? static_cast<int>(files->size()) : -1;
  }

  static int BusiestServer(const ReplicaCensus& census) {
    std::vector<int> held(kChunkServers, 0);
    for (const auto& [id, places] : census.chunks) {
      for (int server : places.on_disk) ++held[server];
    }
    return static_cast<int>(std::max_element(held.begin(), held.end()) - held.begin());
  }
};

TEST_P(ChunkDecommissionTest, DecommissionMovesEveryReplicaOffWhileReadsGoOn) {
  const ReplicaCensus before = WriteFiles(
      {8 * kMiB + 1, 70 * kMiB, 23 * kMiB + 4097, 41 * kMiB, 66 * kMiB + 12345, 12 * kMiB});
  ASSERT_FALSE(HasFailure());
  const int drained = BusiestServer(before);
  const int64_t server_id = ServerIdOf(drained);
  ASSERT_GT(server_id, 0);
  const int held_before = ChunkFilesOn(drained);
  std::cout << "[ drain    ] " << chunks_.size() << " chunks; decommissioning cs" << drained + 1
            << " (server " << server_id << "), which holds " << held_before << " of them"
            << std::endl;

  MountReader reader(files_);
  const auto started = steady_clock::now();
  Result<std::unique_ptr<testing::DaemonProcess>> cli =
      StartCli(*cluster_, "decommission", {"decommission", std::to_string(server_id)});
  ASSERT_TRUE(cli.ok()) << cli.status().ToString();

  if (GetParam() > 1) {
    // Kill the leader once the decommission is durable, while the server still holds chunks.
    Status draining = [&]() -> Status {
      const auto give_up = steady_clock::now() + kStatusDeadline;
      while (steady_clock::now() < give_up) {
        Result<rpc::ClusterStatus> status = cluster_->QueryClusterStatus();
        if (status.ok() && !status->draining_server_ids.empty()) return Status::Ok();
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
      return Status::Unavailable("the leader never listed server " + std::to_string(server_id) +
                                 " as draining");
    }();
    ASSERT_OK(draining);
    const int held_at_kill = ChunkFilesOn(drained);
    Result<int> leader = cluster_->WaitForLeader(kLeaderDeadline);
    ASSERT_TRUE(leader.ok()) << leader.status().ToString();
    ASSERT_OK(cluster_->master(*leader).Kill());
    std::cout << "[ leader   ] master " << cluster_->master_id(*leader) << " killed "
              << SecondsSince(started) << " s after the decommission started, cs" << drained + 1
              << " still holding " << held_at_kill << " chunk files" << std::endl;
    EXPECT_GT(held_at_kill, 0) << "the drain ended before the leader could be killed";
  }

  Result<CliResult> done = FinishCli(**cli, kRepairDeadline);
  const double took = SecondsSince(started);
  reader.Stop();
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  std::cout << "[ cli      ] tessera decommission exited " << done->exit_code << " after " << took
            << " s:\n"
            << done->output << std::flush;
  RecordProperty("drained_after_ms", static_cast<int>(took * 1000));
  EXPECT_EQ(done->exit_code, 0);
  EXPECT_NE(done->output.find("server " + std::to_string(server_id) +
                              " holds no chunks: it can be switched off"),
            std::string::npos);
  EXPECT_NE(done->output.find("replicas left"), std::string::npos) << "no progress shown";
  std::cout << "[ reader   ] " << reader.rounds() << " rounds of reading every file, "
            << reader.failures() << " failed" << std::endl;
  EXPECT_EQ(reader.failures(), 0) << reader.first_failure();
  EXPECT_GE(reader.rounds(), 1);

  // On disk and in the master: nothing left on the drained server, three replicas elsewhere.
  EXPECT_EQ(ChunkFilesOn(drained), 0) << "chunk files left in "
                                      << cluster_->chunk_server_data_dir(drained);
  Result<ReplicaCensus> after =
      WaitForEveryChunkAt(*cluster_, chunks_, kGoal, Leftovers::kNone, kStatusDeadline);
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  for (const auto& [id, places] : after->chunks) {
    EXPECT_EQ(places.in_master.count(drained), 0u) << "chunk " << id << " still listed there";
  }
  Status contents = VerifyReplicaContents(*after, chunks_);
  EXPECT_TRUE(contents.ok()) << contents.ToString();
  Result<CliResult> fsck = RunCli(*cluster_, "fsck", {"fsck", "--json"});
  ASSERT_TRUE(fsck.ok()) << fsck.status().ToString();
  EXPECT_EQ(fsck->exit_code, 0) << fsck->output;
  EXPECT_NE(fsck->output.find("\"healthy\":true"), std::string::npos) << fsck->output;
  ExpectFilesReadBack("after the decommission");

  // The drain survives as state: listed as draining and done; new chunks go elsewhere.
  Result<CliResult> listed = RunCli(*cluster_, "decommission-status",
                                    {"decommission", "--status", "--json"});
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  EXPECT_EQ(listed->exit_code, 0) << listed->output;
  EXPECT_NE(listed->output.find("\"server_id\":" + std::to_string(server_id)), std::string::npos)
      << listed->output;
  EXPECT_NE(listed->output.find("\"done\":true"), std::string::npos) << listed->output;
  Result<CliResult> status = RunCli(*cluster_, "status", {"status"});
  ASSERT_TRUE(status.ok()) << status.status().ToString();
  EXPECT_NE(status->output.find("draining"), std::string::npos) << status->output;
  Result<WrittenFile> later = WriteRandomFile(mountpoint_ + "/later", 20 * kMiB, /*seed=*/77);
  ASSERT_TRUE(later.ok()) << later.status().ToString();
  EXPECT_EQ(ChunkFilesOn(drained), 0) << "a new chunk was placed on the drained server";
}

INSTANTIATE_TEST_SUITE_P(Masters, ChunkDecommissionTest, ::testing::Values(1, 3), MastersName);

class ChunkDecommissionCliTest : public ChunkDecommissionTest {};

TEST_P(ChunkDecommissionCliTest, BadArgumentsUnknownServersAndCancel) {
  struct Case {
    std::vector<std::string> args;
    int exit_code;
    std::string says;
  };
  const std::vector<Case> cases = {
      {{"decommission"}, 2, "SERVER_ID"},
      {{"decommission", "abc"}, 2, "SERVER_ID must be a number"},
      {{"decommission", "0"}, 2, "SERVER_ID must be a number > 0"},
      {{"decommission", "9223372036854775808"}, 2, "SERVER_ID must be a number > 0"},
      {{"decommission", "1", "2"}, 2, "one SERVER_ID only"},
      {{"decommission", "1", "--bogus"}, 2, "unknown option"},
      {{"decommission", "1", "--cancel", "--no-wait"}, 2, "--no-wait"},
      {{"decommission", "1", "--cancel", "--status"}, 2, "exclude"},
      {{"decommission", "1", "--interval-ms", "5"}, 2, "--interval-ms"},
      {{"decommission", "999999", "--no-wait"}, 1, "NOT_FOUND"},
      {{"decommission", "999999", "--cancel"}, 1, "NOT_FOUND"},
  };
  int index = 0;
  for (const Case& c : cases) {
    Result<CliResult> run = RunCli(*cluster_, "bad-" + std::to_string(index++), c.args);
    ASSERT_TRUE(run.ok()) << run.status().ToString();
    std::string line;
    for (const std::string& arg : c.args) line += " " + arg;
    EXPECT_EQ(run->exit_code, c.exit_code) << "tessera" << line << ":\n" << run->output;
    EXPECT_NE(run->output.find(c.says), std::string::npos) << "tessera" << line << ":\n"
                                                           << run->output;
  }

  const int64_t server_id = ServerIdOf(0);
  ASSERT_GT(server_id, 0);
  const std::string id = std::to_string(server_id);
  Result<CliResult> started = RunCli(*cluster_, "start", {"decommission", id, "--no-wait"});
  ASSERT_TRUE(started.ok()) << started.status().ToString();
  EXPECT_EQ(started->exit_code, 0) << started->output;
  Result<CliResult> listed = RunCli(*cluster_, "listed", {"decommission", "--status", id});
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  EXPECT_NE(listed->output.find("server " + id), std::string::npos) << listed->output;
  Result<CliResult> cancelled = RunCli(*cluster_, "cancel", {"decommission", id, "--cancel"});
  ASSERT_TRUE(cancelled.ok()) << cancelled.status().ToString();
  EXPECT_EQ(cancelled->exit_code, 0) << cancelled->output;
  Result<CliResult> none = RunCli(*cluster_, "none", {"decommission", "--status"});
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_NE(none->output.find("No chunk server is draining"), std::string::npos) << none->output;
  Result<CliResult> again = RunCli(*cluster_, "again", {"decommission", id, "--cancel"});
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->exit_code, 1) << again->output;
  EXPECT_NE(again->output.find("is not draining"), std::string::npos) << again->output;
}

INSTANTIATE_TEST_SUITE_P(Masters, ChunkDecommissionCliTest, ::testing::Values(1), MastersName);

}  // namespace
}  // namespace tessera::fault
