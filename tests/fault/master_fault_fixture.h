// GoogleTest fixture of the master fault tests: a cluster of three masters (a Raft group), three
// chunk servers and one FUSE mount, plus the workload (tessera-fault-workload) that runs on the
// mount (workload_fixture.h) while a test kills, pauses, wipes or replaces masters. On failure
// the daemons' and the workload's log tails are printed.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <memory>
#include <string>

#include "tests/fault/workload_fixture.h"
#include "tests/integration/test_cluster.h"

namespace tessera::fault {

// The masters' --election-timeout-ms (their default).
constexpr std::chrono::milliseconds kElectionTimeout = std::chrono::milliseconds(500);

class MasterFaultTest : public WorkloadFixture {
 protected:
  virtual testing::ClusterOptions Options() const {
    testing::ClusterOptions options;
    options.masters = 3;
    options.chunk_servers = 3;
    options.default_goal = 2;
    return options;
  }

  void SetUp() override {
    Result<std::unique_ptr<testing::TestCluster>> cluster =
        testing::TestCluster::Start(Options());
    ASSERT_TRUE(cluster.ok()) << cluster.status().ToString();
    cluster_ = std::move(cluster).value();
    Result<std::string> mounted = cluster_->Mount();
    ASSERT_TRUE(mounted.ok()) << mounted.status().ToString();
    mountpoint_ = *mounted;
  }

  void TearDown() override {
    TearDownWorkload();
    if (HasFailure() && cluster_) std::cerr << cluster_->DescribeLogs();
    cluster_.reset();
  }

  // Starts the workload on the mount and waits until it is under way.
  void StartWorkload(uint64_t seed) { StartWorkloadOn(mountpoint_, cluster_->root_dir(), seed); }

  std::unique_ptr<testing::TestCluster> cluster_;
  std::string mountpoint_;
};

}  // namespace tessera::fault
