// A MasterFaultTest whose chunk servers keep their data on a tmpfs each, so that a test can fill
// one server's disk or give servers a small, known capacity. The mounts exist before the cluster
// starts and go after it stops.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "tests/fault/master_fault_fixture.h"
#include "tests/fault/tmpfs_mount.h"

namespace tessera::fault {

class TmpfsServersFaultTest : public MasterFaultTest {
 protected:
  // `servers` tmpfs mounts of `bytes_each`, one per chunk server.
  TmpfsServersFaultTest(int servers, int64_t bytes_each)
      : servers_(servers), bytes_each_(bytes_each) {}

  void SetUp() override {
    Result<std::vector<std::unique_ptr<TmpfsMount>>> tmpfs =
        TmpfsMount::MountEach(servers_, bytes_each_);
    ASSERT_TRUE(tmpfs.ok()) << tmpfs.status().ToString();
    tmpfs_ = std::move(tmpfs).value();
    MasterFaultTest::SetUp();
  }

  void TearDown() override {
    MasterFaultTest::TearDown();
    tmpfs_.clear();
  }

  // Points chunk server i's data directory at tmpfs mount i.
  void PlaceDataDirsOnTmpfs(testing::ClusterOptions& options) const {
    for (int i = 0; i < servers_; ++i) {
      options.chunk_server_data_dirs[i] = {tmpfs_[i]->path() + "/data"};
    }
  }

  std::vector<std::unique_ptr<TmpfsMount>> tmpfs_;

 private:
  const int servers_;
  const int64_t bytes_each_;
};

}  // namespace tessera::fault
