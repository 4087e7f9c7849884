// NetnsCluster: GoogleTest fixture of the network fault tests. Each test gets its own cluster
// from deploy/netns-cluster.sh (every node a network namespace with its own address: masters
// m1..m3, chunk servers cs1.., a client holding the FUSE mount), driven as a subprocess, and
// the workload of workload_fixture.h on the mount.
//
// Isolation: a namespace prefix "f<pid mod 1e5>", a fresh mkdtemp NETNS_RUN_DIR and the subnet
// 10.78.0 (the deploy test uses 10.77.0), so a test never meets another cluster. TearDown always
// runs `stop` (unmount, daemons stopped by pid, namespaces deleted) and, when the test failed,
// prints `status` and the tail of every node's log.
//
// Ownership: the fixture owns the cluster's processes through the launcher and its run dir.
// Thread-safety: none; the test's thread drives it.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "common/status.h"
#include "tests/fault/workload_fixture.h"

namespace tessera::fault {

struct NetnsOptions {
  int chunk_servers = 3;
  int default_goal = 2;
};

// What a command printed, and its exit code.
struct CommandOutput {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// A master's own view of itself, from its admin port's /status.
struct MasterSelfView {
  std::string role;  // "leader", "follower", "candidate", ...
  int64_t term = 0;
  int64_t leader_id = 0;
  int64_t commit_index = 0;
  int64_t applied_index = 0;
};

class NetnsCluster : public WorkloadFixture {
 protected:
  virtual NetnsOptions Options() const { return NetnsOptions{}; }

  void SetUp() override;
  void TearDown() override;

  // deploy/netns-cluster.sh ARGS with this test's settings. Fails only when it could not be
  // run to the end within `deadline`; a non-zero exit is in the result.
  Result<CommandOutput> Launcher(const std::vector<std::string>& args,
                                 std::chrono::milliseconds deadline = std::chrono::seconds(60));
  // The launcher command that must succeed: its failure (with stderr) otherwise.
  Status Must(const std::vector<std::string>& args);

  Status Partition(const std::string& node) { return Must({"partition", node}); }
  Status Heal(const std::string& node) { return Must({"heal", node}); }
  Status Cut(const std::string& a, const std::string& b) { return Must({"cut", a, b}); }
  Status Uncut(const std::string& a, const std::string& b) { return Must({"uncut", a, b}); }
  Status Kill(const std::string& node) { return Must({"kill", node}); }
  Status Restart(const std::string& node) { return Must({"restart", node}); }

  // `tessera ARGS` from the client namespace with every master configured.
  Result<CommandOutput> Cli(const std::vector<std::string>& args);
  // `tessera --masters <master's address> ARGS` from the client namespace: asks one master only.
  Result<CommandOutput> CliAt(const std::string& master, const std::vector<std::string>& args);

  // The master the client sees as leader ("m1".."m3").
  Result<std::string> LeaderNode();
  // Polls LeaderNode until it names a master other than `not_node` ("" for any).
  Result<std::string> WaitForLeader(std::chrono::milliseconds deadline,
                                    const std::string& not_node = "");
  // The master's /status, read inside its own namespace (works while it is partitioned).
  Result<MasterSelfView> MasterStatus(const std::string& master);

  // "10.78.0.11": the node's address, from the launcher's `env`.
  std::string Address(const std::string& node) const;
  std::string MasterAddress(const std::string& master) const { return Address(master) + ":9400"; }
  // Where the launcher keeps NODE's data dir (chunk servers: the chunk files).
  std::string DataDir(const std::string& node) const { return run_dir_ + "/" + node + "/data"; }
  const std::string& mountpoint() const { return mountpoint_; }
  const std::string& run_dir() const { return run_dir_; }

  void StartWorkload(uint64_t seed) { StartWorkloadOn(mountpoint_, run_dir_, seed); }

 private:
  std::vector<std::string> Environment() const;
  void PrintClusterState();

  std::string prefix_;
  std::string run_dir_;
  std::string mountpoint_;
  std::map<std::string, std::string> env_;  // NETNS_* of `env`
  int commands_run_ = 0;                    // names the output files of each command
};

// Polls `condition` every 100 ms until it returns true or `deadline` passes; returns whether it
// did.
bool PollUntil(std::chrono::milliseconds deadline, const std::function<bool()>& condition);

}  // namespace tessera::fault
