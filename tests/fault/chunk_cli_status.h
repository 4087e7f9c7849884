// The cluster as the operator sees it: `tessera --masters ... status --json` run as a child
// process, its chunk server lines parsed (Boost.PropertyTree's JSON reader).
//
// Thread-safety: none; use from the test's thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "tests/integration/test_cluster.h"

namespace tessera::fault {

struct CliChunkServer {
  std::string address;  // "host:port"
  bool alive = false;
  int64_t chunks = 0;  // as the chunk server last reported it
  int64_t data_dirs_ok = 0;
  int64_t data_dirs_failed = 0;
};

struct CliStatus {
  std::vector<CliChunkServer> chunk_servers;
  int64_t chunk_count = 0;  // chunks in the namespace
};

// Runs the CLI against `cluster`'s masters; the output goes to a file under its root dir.
Result<CliStatus> RunCliStatus(testing::TestCluster& cluster);

// Polls RunCliStatus until it lists exactly the running chunk servers of `cluster` as alive,
// the namespace holds `chunk_count` chunks and the alive servers report `replicas` chunks in
// all; kUnavailable with the last answer after `deadline`.
Status WaitForCliStatus(testing::TestCluster& cluster, int64_t chunk_count, int64_t replicas,
                        std::chrono::milliseconds deadline);

}  // namespace tessera::fault
