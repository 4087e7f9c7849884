// TestCluster: a real Tessera cluster (one master, N chunk servers, optional FUSE mounts) made
// of the built binaries, for integration tests.
//
// Every daemon listens on a free 127.0.0.1 port and keeps its state and log in a fresh temp
// directory (root_dir()/master, root_dir()/csN, root_dir()/mnt-N). Start() returns once the
// master answers clusterStatus and reports every chunk server alive. Any daemon can be killed
// (SIGKILL), stopped (SIGTERM) and started again on the same port and data directory.
//
// Ownership: the cluster owns every process it started and its temp directory; the destructor
// unmounts, stops every process by PID and removes the directory (kept when the environment
// variable TESSERA_KEEP_TEST_DIR is set, for debugging).
// Thread-safety: none; drive a cluster from the test's thread. The RPC pools are thread-safe.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "common/address.h"
#include "common/rpc_client.h"
#include "common/status.h"
#include "gen-cpp/ChunkServerService.h"
#include "gen-cpp/MasterService.h"
#include "tests/integration/daemon_process.h"

namespace tessera::testing {

struct ClusterOptions {
  int chunk_servers = 3;
  int default_goal = 3;
  int heartbeat_ms = 200;
  // Short, so that a killed chunk server is declared dead quickly.
  int chunkserver_timeout_ms = 2000;
  std::chrono::milliseconds ready_deadline = std::chrono::seconds(30);
};

// The directory holding tessera-master, tessera-chunkserver, tessera-mount and tessera: the
// environment variable TESSERA_BIN_DIR if set, else the build's bin directory.
std::string BinaryDir();

class TestCluster {
 public:
  static Result<std::unique_ptr<TestCluster>> Start(ClusterOptions options = {});
  ~TestCluster();
  TestCluster(const TestCluster&) = delete;
  TestCluster& operator=(const TestCluster&) = delete;

  const std::string& root_dir() const { return root_dir_; }
  const HostPort& master_address() const { return master_address_; }
  int chunk_server_count() const { return static_cast<int>(chunk_servers_.size()); }
  const HostPort& chunk_server_address(int index) const;
  const std::string& chunk_server_data_dir(int index) const;
  // Index of the chunk server listening on `port`, or kNotFound.
  Result<int> ChunkServerIndexByPort(int port) const;

  DaemonProcess& master() { return *master_; }
  DaemonProcess& chunk_server(int index);

  // Starts the master again (after Stop/Kill) on the same port and data directory, and waits
  // until it answers clusterStatus.
  Status RestartMaster();
  // Starts chunk server `index` again on the same port and data directories.
  Status RestartChunkServer(int index);

  // Polls clusterStatus until at least `count` chunk servers are alive.
  Status WaitForAliveChunkServers(int count, std::chrono::milliseconds deadline);
  // Polls clusterStatus until exactly `count` chunk servers are alive.
  Status WaitForExactlyAliveChunkServers(int count, std::chrono::milliseconds deadline);
  Result<rpc::ClusterStatus> QueryClusterStatus();

  // Mounts the cluster with tessera-mount at a new directory under root_dir() and returns it.
  Result<std::string> Mount();
  // Unmounts a directory returned by Mount() and stops its tessera-mount.
  Status Unmount(const std::string& mountpoint);

  RpcClientPool<rpc::MasterServiceClient>& master_rpc() { return master_rpc_; }
  RpcClientPool<rpc::ChunkServerServiceClient>& chunk_server_rpc() { return chunk_server_rpc_; }

  // A RequestContext with this cluster's client id and the next sequence number.
  rpc::RequestContext NextContext();

  // The last lines of every log, to explain a failure.
  std::string DescribeLogs() const;

 private:
  struct ChunkServer {
    HostPort address;
    std::string data_dir;
    std::unique_ptr<DaemonProcess> process;
  };
  struct MountedDir {
    std::string mountpoint;
    std::unique_ptr<DaemonProcess> process;
  };

  TestCluster(ClusterOptions options, std::string root_dir);
  Status StartAll();
  Status StartMasterProcess();
  Status StartChunkServerProcess(int index);
  Status WaitForMasterAnswering(std::chrono::milliseconds deadline);
  // Fails early (with the log) when a daemon has exited while we wait for it.
  Status CheckDaemonsRunning();
  Status WaitForAlive(int count, bool exact, std::chrono::milliseconds deadline);
  void Shutdown();

  const ClusterOptions options_;
  const std::string root_dir_;
  HostPort master_address_;
  std::unique_ptr<DaemonProcess> master_;
  std::vector<ChunkServer> chunk_servers_;
  std::vector<MountedDir> mounts_;
  int next_mount_number_ = 1;
  int64_t client_id_;
  int64_t next_sequence_ = 1;
  RpcClientPool<rpc::MasterServiceClient> master_rpc_;
  RpcClientPool<rpc::ChunkServerServiceClient> chunk_server_rpc_;
};

// Runs one RPC whose Thrift signature returns its value through a reference first argument
// (`client.getattr(attr, ...)`) and returns that value or the call's Status.
template <typename T, typename ClientT, typename F>
Result<T> CallFor(RpcClientPool<ClientT>& pool, const HostPort& address, F&& call) {
  T value{};
  RpcOutcome outcome = pool.Call(address, [&](ClientT& client) { call(client, value); });
  if (!outcome.status.ok()) return outcome.status;
  return value;
}

// Runs one RPC that returns nothing.
template <typename ClientT, typename F>
Status CallVoid(RpcClientPool<ClientT>& pool, const HostPort& address, F&& call) {
  return pool.Call(address, std::forward<F>(call)).status;
}

}  // namespace tessera::testing
