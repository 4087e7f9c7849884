// TestCluster: a real Tessera cluster (one master or a Raft group of masters, N chunk servers,
// optional FUSE mounts) made of the built binaries, for integration and fault tests.
//
// Every daemon listens on a free 127.0.0.1 port and keeps its state and log in a fresh temp
// directory (root_dir()/master for a single master, root_dir()/masterN for master id N of a
// group, root_dir()/csN, root_dir()/mnt-N). Start() returns once a master leader answers
// clusterStatus and reports every chunk server alive. Any daemon can be killed (SIGKILL),
// stopped (SIGTERM) and started again on the same port and data directory; a master can also be
// wiped (restarted empty with --join), and masters can be added to the group.
//
// Masters are named by their index in this cluster (0, 1, ...); master index i has Raft id i+1.
// Chunk servers and mounts are given the address of every founding master.
//
// Ownership: the cluster owns every process it started and its temp directory; the destructor
// unmounts, stops every process by PID and removes the directory (kept when the environment
// variable TESSERA_KEEP_TEST_DIR is set, for debugging).
// Thread-safety: none; drive a cluster from the test's thread. The RPC pools are thread-safe.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <set>
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
  // 1: a master that founds a group of one (no --peers). More: a group founded with --peers.
  int masters = 1;
  int chunk_servers = 3;
  int default_goal = 3;
  int heartbeat_ms = 200;
  // Short, so that a killed chunk server is declared dead quickly.
  int chunkserver_timeout_ms = 2000;
  // Short, so that tests see unreferenced chunks collected (the master's default is a minute).
  int gc_grace_ms = 2000;
  std::chrono::milliseconds ready_deadline = std::chrono::seconds(30);
  // Appended to every master's command line, e.g. {"--snapshot-entries", "50"}.
  std::vector<std::string> extra_master_flags;
  // Appended to every chunk server's command line, e.g. {"--replication-mbps", "8"}.
  std::vector<std::string> extra_chunk_server_flags;
  // By chunk server index: its data directories instead of the default root_dir()/csN/data
  // (created when missing; the first one is chunk_server_data_dir()), e.g. a small tmpfs.
  std::map<int, std::vector<std::string>> chunk_server_data_dirs;
  // By chunk server index: a command that runs the chunk server, e.g.
  // {"/usr/bin/setpriv", "--bounding-set=-dac_override,-dac_read_search"} so that permission
  // bits hold for it although the tests run as root.
  std::map<int, std::vector<std::string>> chunk_server_command_prefix;
  // Every daemon (masters, chunk servers, mounts) serves its HTTP admin port (--admin-port) on
  // a port of its own, kept across restarts: master_admin_port() and the like.
  bool admin_ports = false;
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
  // Master index 0 (the only one of a single-master cluster).
  const HostPort& master_address() const { return master_address(0); }
  int chunk_server_count() const { return static_cast<int>(chunk_servers_.size()); }
  const HostPort& chunk_server_address(int index) const;
  const std::string& chunk_server_data_dir(int index) const;
  // Every data directory of chunk server `index` (chunk_server_data_dir() first).
  const std::vector<std::string>& chunk_server_data_dirs(int index) const;
  // Stops treating `dir` as a data directory of chunk server `index`: tests no longer scan it
  // and a restart no longer passes it, as an operator does with a failed disk.
  Status DropChunkServerDataDir(int index, const std::string& dir);
  // Index of the chunk server listening on `port`, or kNotFound.
  Result<int> ChunkServerIndexByPort(int port) const;

  DaemonProcess& master() { return master(0); }
  DaemonProcess& chunk_server(int index);

  // ---- admin ports (ClusterOptions::admin_ports; 0 when off) ----
  int master_admin_port(int index) const { return masters_.at(index).admin_port; }
  int chunk_server_admin_port(int index) const { return chunk_servers_.at(index).admin_port; }
  // kNotFound for a directory Mount() did not return.
  Result<int> mount_admin_port(const std::string& mountpoint) const;

  // ---- masters ----
  int master_count() const { return static_cast<int>(masters_.size()); }
  const HostPort& master_address(int index) const;
  int64_t master_id(int index) const { return index + 1; }
  DaemonProcess& master(int index);
  const std::string& master_data_dir(int index) const;
  // "H:P,H:P,...": the founding masters, as chunk servers and mounts are given them.
  std::string MasterList() const;

  // Starts master 0 again (after Stop/Kill) on the same port and data directory, and waits
  // until it answers clusterStatus.
  Status RestartMaster() { return RestartMaster(0); }
  // Starts master `index` again on the same port and data directory, and waits until it
  // answers RPCs (as leader, or with NOT_LEADER).
  Status RestartMaster(int index);
  // Deletes the data directory of stopped master `index` and starts it again empty with
  // --join, under the same id and address: the leader must bring it back (by snapshot once
  // the log is compacted).
  Status WipeAndRestartMaster(int index);
  // Starts a new empty master with --join on a free port (id = its index + 1) and returns its
  // index. It serves nothing until AddMaster makes it a member.
  Result<int> StartJoiningMaster();

  // Polls the running masters (except `skip`, e.g. a paused one) until one answers
  // clusterStatus as leader; returns its index. When two answer (an old leader that has not
  // noticed yet), the one with the higher term wins.
  Result<int> WaitForLeader(std::chrono::milliseconds deadline, int skip = -1);
  // Polls until the leader reports master `index` as a voter whose match index reached the
  // leader's commit index as it was when this call began.
  Status WaitForCaughtUp(int index, std::chrono::milliseconds deadline);
  // Asks the leader to hand the leadership to master `index` (repeating the request while the
  // target is not ready) and polls until `index` leads.
  Status TransferLeadership(int index, std::chrono::milliseconds deadline);
  // Membership changes, sent to the current leader (repeated across a leader change).
  Status AddMaster(int index, std::chrono::milliseconds deadline);
  Status RemoveMaster(int index, std::chrono::milliseconds deadline);
  // Starts chunk server `index` again on the same port and data directories.
  Status RestartChunkServer(int index);

  // Polls clusterStatus until at least `count` chunk servers are alive.
  Status WaitForAliveChunkServers(int count, std::chrono::milliseconds deadline);
  // Polls clusterStatus until exactly `count` chunk servers are alive.
  Status WaitForExactlyAliveChunkServers(int count, std::chrono::milliseconds deadline);
  // clusterStatus from the leader (the only master that answers it).
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
    std::vector<std::string> data_dirs;  // never empty
    std::unique_ptr<DaemonProcess> process;
    int admin_port = 0;
  };
  struct Master {
    HostPort address;
    std::string name;  // "master" alone, "master<id>" in a group
    std::string data_dir;
    bool join = false;  // started with --join instead of founding the group
    std::unique_ptr<DaemonProcess> process;
    int admin_port = 0;
  };
  struct MountedDir {
    std::string mountpoint;
    std::unique_ptr<DaemonProcess> process;
    int admin_port = 0;
  };

  TestCluster(ClusterOptions options, std::string root_dir);
  Status StartAll();
  Status StartMasterProcess(int index);
  Status StartChunkServerProcess(int index);
  // A single master must answer clusterStatus; a master of a group may answer NOT_LEADER.
  Status WaitForMasterAnswering(int index, std::chrono::milliseconds deadline);
  // clusterStatus from master `index` through the short-timeout probe pool.
  Result<rpc::ClusterStatus> ProbeClusterStatus(int index);
  // Runs `call` on the leader, looking for it again while the answer is NOT_LEADER or
  // UNAVAILABLE, until `deadline`.
  Status CallOnLeader(const std::function<void(rpc::MasterServiceClient&)>& call,
                      std::chrono::milliseconds deadline);
  // Fails early (with the log) when a daemon has exited while we wait for it.
  Status CheckDaemonsRunning();
  Status WaitForAlive(int count, bool exact, std::chrono::milliseconds deadline);
  void Shutdown();

  const ClusterOptions options_;
  const std::string root_dir_;
  // A free port never handed to another daemon of this cluster (free_port.h).
  Result<int> PickPort();
  // With ClusterOptions::admin_ports: picks `*port` once (kept for restarts) and appends
  // --admin-port to `argv`.
  Status AddAdminPort(int* port, std::vector<std::string>* argv);

  std::set<int> ports_taken_;
  std::vector<Master> masters_;
  std::vector<ChunkServer> chunk_servers_;
  std::vector<MountedDir> mounts_;
  int next_mount_number_ = 1;
  int64_t client_id_;
  int64_t next_sequence_ = 1;
  RpcClientPool<rpc::MasterServiceClient> master_rpc_;
  RpcClientPool<rpc::ChunkServerServiceClient> chunk_server_rpc_;
  // Short timeouts: finding the leader must not hang on a paused master.
  RpcClientPool<rpc::MasterServiceClient> probe_rpc_;
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
