// A leader allocates a chunk (prepareWrite) and dies before the client writes a byte to it. No
// chunk server holds that chunk then (they create a chunk file on its first write), and where
// the old leader placed it was soft state that died with it. The file must stay writable: the
// new leader has to place the empty chunk again rather than wait for a replica that can never
// report. (The workload hits this when a kill lands between the allocation and the write: its
// close() fails with EIO after the client's 30 s retry deadline.)
#include <gtest/gtest.h>

#include <thread>

#include "common/names.h"
#include "tests/fault/master_fault_fixture.h"

namespace tessera::fault {
namespace {

TEST(UnwrittenChunkTest, ChunkAllocatedByAKilledLeaderCanBeWrittenLater) {
  testing::ClusterOptions options;
  options.masters = 3;
  options.default_goal = 2;
  Result<std::unique_ptr<testing::TestCluster>> started = testing::TestCluster::Start(options);
  ASSERT_TRUE(started.ok()) << started.status().ToString();
  testing::TestCluster& cluster = **started;
  Result<int> leader = cluster.WaitForLeader(kLeaderDeadline);
  ASSERT_TRUE(leader.ok()) << leader.status().ToString();

  const HostPort& old_leader = cluster.master_address(*leader);
  Result<rpc::Attr> file = testing::CallFor<rpc::Attr>(
      cluster.master_rpc(), old_leader, [&](rpc::MasterServiceClient& c, rpc::Attr& out) {
        c.create(out, cluster.NextContext(), kRootInode, "never-written", 0644);
      });
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  Result<rpc::ChunkInfo> placed = testing::CallFor<rpc::ChunkInfo>(
      cluster.master_rpc(), old_leader, [&](rpc::MasterServiceClient& c, rpc::ChunkInfo& out) {
        c.prepareWrite(out, cluster.NextContext(), file->inode, 0);
      });
  ASSERT_TRUE(placed.ok()) << placed.status().ToString();
  ASSERT_FALSE(placed->replicas.empty());

  ASSERT_OK(cluster.master(*leader).Kill());
  Result<int> successor = cluster.WaitForLeader(kLeaderDeadline);
  ASSERT_TRUE(successor.ok()) << successor.status().ToString();

  // A new leader may ask the writer to wait while the chunk servers report (a few seconds);
  // after that the chunk must have a chain again.
  auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  Result<rpc::ChunkInfo> again = Status::Unavailable("not asked yet");
  while (std::chrono::steady_clock::now() < give_up) {
    again = testing::CallFor<rpc::ChunkInfo>(
        cluster.master_rpc(), cluster.master_address(*successor),
        [&](rpc::MasterServiceClient& c, rpc::ChunkInfo& out) {
          c.prepareWrite(out, cluster.NextContext(), file->inode, 0);
        });
    if (again.ok() || again.status().code() != StatusCode::kUnavailable) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(again.ok()) << "the file can no longer be written: " << again.status().ToString()
                          << "\n" << cluster.DescribeLogs();
  EXPECT_FALSE(again->replicas.empty());
}

}  // namespace
}  // namespace tessera::fault
