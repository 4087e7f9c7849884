// A chunk server is partitioned (its link goes down) while a large file is written through the
// client's mount, on the multi-host launcher (four chunk servers, goal 3): the write completes,
// the master brings every chunk back to goal on the other servers, and once the server
// returns, its replicas that missed writes are seen as stale (older version) and removed; fsck
// is clean and the file reads back with the digest it was written with.
#include <atomic>
#include <boost/property_tree/json_parser.hpp>
#include <boost/property_tree/ptree.hpp>
#include <filesystem>
#include <iostream>
#include <memory>
#include <set>
#include <sstream>
#include <thread>

#include "tests/fault/chunk_replica_scan.h"
#include "tests/fault/chunk_test_files.h"
#include "tests/fault/netns_cluster.h"

namespace tessera::fault {
namespace {

constexpr int64_t kMiB = 1 << 20;
// Three chunks (64 + 64 + 32 MiB): the partition hits the first while later ones are written.
constexpr int64_t kFileBytes = 160 * kMiB;
constexpr std::chrono::milliseconds kWriteDeadline = std::chrono::seconds(90);
constexpr std::chrono::milliseconds kRepairDeadline = std::chrono::seconds(60);

struct ChunkView {
  int64_t id = 0;
  int64_t version = 0;
  int64_t live_copies = 0;
  std::vector<std::pair<std::string, int64_t>> replicas;  // (address, version)
};

// `tessera fileinfo PATH --json`, parsed.
Result<std::vector<ChunkView>> ParseFileInfo(const std::string& json) {
  try {
    std::istringstream in(json);
    boost::property_tree::ptree tree;
    boost::property_tree::read_json(in, tree);
    std::vector<ChunkView> chunks;
    for (const auto& [unused, chunk] : tree.get_child("chunks")) {
      ChunkView view;
      view.id = chunk.get<int64_t>("chunk_id");
      view.version = chunk.get<int64_t>("version");
      view.live_copies = chunk.get<int64_t>("live_copies");
      for (const auto& [unused_key, replica] : chunk.get_child("replicas")) {
        view.replicas.emplace_back(replica.get<std::string>("address"),
                                   replica.get<int64_t>("version"));
      }
      chunks.push_back(std::move(view));
    }
    return chunks;
  } catch (const boost::property_tree::ptree_error& error) {
    return Status::Internal(std::string("fileinfo --json: ") + error.what() + ": " + json);
  }
}

class NetnsChunkPartitionTest : public NetnsCluster {
 protected:
  NetnsOptions Options() const override {
    return NetnsOptions{.chunk_servers = 4, .default_goal = 3};
  }

  Result<std::vector<ChunkView>> FileInfo(const std::string& path) {
    ASSIGN_OR_RETURN(CommandOutput output, Cli({"fileinfo", path, "--json"}));
    // Exit 3: the file is under goal; the JSON is printed all the same.
    if (output.exit_code != 0 && output.exit_code != 3) {
      return Status::Unavailable("fileinfo " + path + ": " + output.err);
    }
    return ParseFileInfo(output.out);
  }

  std::string NodeOfAddress(const std::string& address) {
    for (int i = 1; i <= Options().chunk_servers; ++i) {
      const std::string node = "cs" + std::to_string(i);
      if (Address(node) + ":9500" == address) return node;
    }
    return "";
  }
};

TEST_F(NetnsChunkPartitionTest, PartitionedServerMissesWritesAndItsStaleReplicasGo) {
  const std::string path = mountpoint() + "/big.bin";
  // The writer runs on its own thread; its result outlives the test if the write hangs (the
  // teardown's unmount ends it then).
  struct Write {
    std::atomic<bool> done{false};
    Result<WrittenFile> result = Status::Unavailable("not finished");
  };
  auto write = std::make_shared<Write>();
  std::thread writer([write, path] {
    write->result = WriteRandomFile(path, kFileBytes, 31);
    write->done = true;
  });
  // A failed assertion leaves the writer running: detach it rather than terminate.
  struct DetachOnExit {
    std::thread& thread;
    ~DetachOnExit() {
      if (thread.joinable()) thread.detach();
    }
  } detach_on_exit{writer};

  // Partition a server that holds the first chunk, while the file is being written.
  std::string victim;
  ASSERT_TRUE(PollUntil(kWriteDeadline, [&] {
    Result<std::vector<ChunkView>> chunks = FileInfo("/big.bin");
    if (!chunks.ok() || chunks->empty() || chunks->front().replicas.empty()) return false;
    victim = NodeOfAddress(chunks->front().replicas.front().first);
    return true;
  })) << "the first chunk of big.bin never got replicas";
  ASSERT_FALSE(victim.empty());
  const bool partitioned_mid_write = !write->done;
  const int64_t partitioned_at = MonotonicNowNanos();
  ASSERT_OK(Partition(victim));

  const bool finished = PollUntil(kWriteDeadline, [&] { return write->done.load(); });
  ASSERT_TRUE(finished) << "the write of big.bin did not finish within " << kWriteDeadline.count()
                        << " ms of partitioning " << victim;
  writer.join();
  ASSERT_TRUE(write->result.ok()) << "writing big.bin with " << victim
                                  << " partitioned: " << write->result.status().ToString();
  const WrittenFile& file = *write->result;
  const double write_ms = (MonotonicNowNanos() - partitioned_at) / 1e6;
  EXPECT_TRUE(partitioned_mid_write) << "the write finished before the partition";

  // Back to goal on the three other servers.
  const std::string victim_address = Address(victim) + ":9500";
  Result<std::vector<ChunkView>> chunks = Status::Unavailable("not asked");
  const bool repaired = PollUntil(kRepairDeadline, [&] {
    chunks = FileInfo("/big.bin");
    if (!chunks.ok() || chunks->size() != file.chunk_sha256.size()) return false;
    for (const ChunkView& chunk : *chunks) {
      if (chunk.live_copies < 3) return false;
    }
    return true;
  });
  ASSERT_TRUE(repaired) << "big.bin never got back to 3 live copies per chunk without " << victim
                        << ": " << (chunks.ok() ? "" : chunks.status().ToString());
  ASSERT_OK(DropPageCache());
  Result<std::string> digest = Sha256OfFile(path);
  ASSERT_TRUE(digest.ok()) << digest.status().ToString();
  EXPECT_EQ(*digest, file.sha256) << "big.bin reads back different with " << victim
                                  << " partitioned";

  // The server returns. Replicas of big.bin on its disk that are older than the master's
  // version must go; any it keeps must be current and hold the right bytes.
  ASSERT_OK(Heal(victim));
  std::map<int64_t, std::pair<int64_t, std::string>> expected;  // id -> (version, sha256)
  for (size_t i = 0; i < chunks->size(); ++i) {
    expected[(*chunks)[i].id] = {(*chunks)[i].version, file.chunk_sha256[i]};
  }
  std::string leftovers;
  const bool clean = PollUntil(kRepairDeadline, [&] {
    Result<std::vector<ChunkFileOnDisk>> on_disk = ScanChunkFiles(DataDir(victim));
    if (!on_disk.ok()) return false;
    std::ostringstream stale;
    for (const ChunkFileOnDisk& replica : *on_disk) {
      auto want = expected.find(replica.chunk_id);
      if (want == expected.end()) continue;
      if (!replica.header_ok || replica.version != want->second.first) {
        stale << " " << ChunkIdHex(replica.chunk_id) << " v" << replica.version;
      }
    }
    leftovers = stale.str();
    return leftovers.empty();
  });
  EXPECT_TRUE(clean) << victim << " still holds stale replicas of big.bin:" << leftovers;
  Result<std::vector<ChunkFileOnDisk>> kept = ScanChunkFiles(DataDir(victim));
  ASSERT_TRUE(kept.ok()) << kept.status().ToString();
  int kept_current = 0;
  for (const ChunkFileOnDisk& replica : *kept) {
    auto want = expected.find(replica.chunk_id);
    if (want == expected.end() || replica.version != want->second.first) continue;
    Result<std::string> bytes = Sha256OfChunkData(replica);
    ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
    EXPECT_EQ(*bytes, want->second.second)
        << victim << " keeps chunk " << ChunkIdHex(replica.chunk_id) << " at the current version "
        << replica.version << " with the wrong bytes";
    ++kept_current;
  }

  // The master lists no stale replica, fsck is clean, and the file is intact.
  const bool listed_clean = PollUntil(kRepairDeadline, [&] {
    chunks = FileInfo("/big.bin");
    if (!chunks.ok()) return false;
    for (const ChunkView& chunk : *chunks) {
      if (chunk.live_copies < 3) return false;
      for (const auto& [address, version] : chunk.replicas) {
        if (version != chunk.version) return false;
      }
    }
    return true;
  });
  EXPECT_TRUE(listed_clean) << "the master still lists stale or missing replicas of big.bin";
  Result<CommandOutput> fsck = Cli({"fsck"});
  ASSERT_TRUE(fsck.ok()) << fsck.status().ToString();
  EXPECT_EQ(fsck->exit_code, 0) << fsck->out << fsck->err;
  ASSERT_OK(DropPageCache());
  digest = Sha256OfFile(path);
  ASSERT_TRUE(digest.ok()) << digest.status().ToString();
  EXPECT_EQ(*digest, file.sha256) << "big.bin reads back different after " << victim << " returned";
  std::cout << "[ chunk partition ] " << victim << " partitioned mid-write; the write finished "
            << static_cast<int>(write_ms) << " ms later; " << victim << " keeps " << kept_current
            << " current replica(s) of big.bin, its stale ones are gone" << std::endl;
}

}  // namespace
}  // namespace tessera::fault
