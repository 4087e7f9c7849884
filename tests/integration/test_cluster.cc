#include "tests/integration/test_cluster.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "tests/integration/free_port.h"

#ifndef TESSERA_BIN_DIR
#error "TESSERA_BIN_DIR must name the directory of the built programs"
#endif

namespace tessera::testing {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

constexpr milliseconds kPollInterval(50);
// A short I/O timeout: a daemon that hangs must fail the test, not stall it.
RpcClientOptions TestRpcOptions() {
  RpcClientOptions options;
  options.connect_timeout_ms = 1000;
  options.io_timeout_ms = 15000;
  return options;
}

int64_t RandomClientId() {
  std::random_device device;
  std::uniform_int_distribution<int64_t> distribution(1, INT64_MAX);
  return distribution(device);
}

bool IsMountpoint(const std::string& path) {
  // Field 5 of /proc/self/mountinfo is the mount point (spaces escaped as \040; ours have none).
  std::ifstream mountinfo("/proc/self/mountinfo");
  std::string line;
  while (std::getline(mountinfo, line)) {
    std::istringstream fields(line);
    std::string id, parent, device, root, mountpoint;
    fields >> id >> parent >> device >> root >> mountpoint;
    if (mountpoint == path) return true;
  }
  return false;
}

}  // namespace

std::string BinaryDir() {
  const char* from_env = getenv("TESSERA_BIN_DIR");
  if (from_env != nullptr && from_env[0] != '\0') return from_env;
  return TESSERA_BIN_DIR;
}

Result<std::unique_ptr<TestCluster>> TestCluster::Start(ClusterOptions options) {
  if (options.chunk_servers < 0) return Status::InvalidArgument("negative chunk server count");
  std::string pattern = (fs::temp_directory_path() / "tessera-it-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) return Status::IoError("mkdtemp " + pattern + " failed");
  std::unique_ptr<TestCluster> cluster(new TestCluster(options, pattern));
  Status started = cluster->StartAll();
  if (!started.ok()) {
    return Status(started.code(), started.message() + "\n" + cluster->DescribeLogs());
  }
  return cluster;
}

TestCluster::TestCluster(ClusterOptions options, std::string root_dir)
    : options_(options),
      root_dir_(std::move(root_dir)),
      client_id_(RandomClientId()),
      master_rpc_(TestRpcOptions()),
      chunk_server_rpc_(TestRpcOptions()) {}

TestCluster::~TestCluster() { Shutdown(); }

void TestCluster::Shutdown() {
  while (!mounts_.empty()) (void)Unmount(mounts_.back().mountpoint);
  for (ChunkServer& server : chunk_servers_) {
    if (server.process->Running()) (void)server.process->Stop();
  }
  if (master_ && master_->Running()) (void)master_->Stop();
  const char* keep = getenv("TESSERA_KEEP_TEST_DIR");
  if (keep == nullptr || keep[0] == '\0') {
    std::error_code ignored;
    fs::remove_all(root_dir_, ignored);
  }
}

Status TestCluster::StartAll() {
  ASSIGN_OR_RETURN(int master_port, PickFreePort());
  master_address_ = HostPort{"127.0.0.1", master_port};
  fs::create_directories(root_dir_ + "/master/data");
  RETURN_IF_ERROR(StartMasterProcess());
  for (int i = 0; i < options_.chunk_servers; ++i) {
    ASSIGN_OR_RETURN(int port, PickFreePort());
    ChunkServer server;
    server.address = HostPort{"127.0.0.1", port};
    std::string dir = root_dir_ + "/cs" + std::to_string(i + 1);
    server.data_dir = dir + "/data";
    fs::create_directories(server.data_dir);
    chunk_servers_.push_back(std::move(server));
    RETURN_IF_ERROR(StartChunkServerProcess(i));
  }
  auto deadline = options_.ready_deadline;
  RETURN_IF_ERROR(WaitForMasterAnswering(deadline));
  return WaitForAliveChunkServers(options_.chunk_servers, deadline);
}

Status TestCluster::StartMasterProcess() {
  std::string dir = root_dir_ + "/master";
  master_ = std::make_unique<DaemonProcess>(
      "master",
      std::vector<std::string>{
          BinaryDir() + "/tessera-master", "--listen", master_address_.ToString(), "--data-dir",
          dir + "/data", "--default-goal", std::to_string(options_.default_goal),
          "--chunkserver-timeout-ms", std::to_string(options_.chunkserver_timeout_ms),
          "--log-level", "info"},
      dir + "/log");
  return master_->Start();
}

Status TestCluster::StartChunkServerProcess(int index) {
  ChunkServer& server = chunk_servers_.at(index);
  std::string name = "cs" + std::to_string(index + 1);
  server.process = std::make_unique<DaemonProcess>(
      name,
      std::vector<std::string>{BinaryDir() + "/tessera-chunkserver", "--listen",
                               server.address.ToString(), "--masters", master_address_.ToString(),
                               "--data-dir", server.data_dir, "--rack",
                               "rack" + std::to_string(index + 1), "--heartbeat-ms",
                               std::to_string(options_.heartbeat_ms), "--log-level", "info"},
      root_dir_ + "/" + name + "/log");
  return server.process->Start();
}

const HostPort& TestCluster::chunk_server_address(int index) const {
  return chunk_servers_.at(index).address;
}

const std::string& TestCluster::chunk_server_data_dir(int index) const {
  return chunk_servers_.at(index).data_dir;
}

DaemonProcess& TestCluster::chunk_server(int index) { return *chunk_servers_.at(index).process; }

Result<int> TestCluster::ChunkServerIndexByPort(int port) const {
  for (size_t i = 0; i < chunk_servers_.size(); ++i) {
    if (chunk_servers_[i].address.port == port) return static_cast<int>(i);
  }
  return Status::NotFound("no chunk server of this cluster listens on port " +
                          std::to_string(port));
}

Status TestCluster::RestartMaster() {
  if (master_->Running()) return Status::Internal("master is still running; stop it first");
  RETURN_IF_ERROR(StartMasterProcess());
  // The old connections went to the dead process.
  master_rpc_.Forget(master_address_);
  return WaitForMasterAnswering(options_.ready_deadline);
}

Status TestCluster::RestartChunkServer(int index) {
  ChunkServer& server = chunk_servers_.at(index);
  if (server.process->Running())
    return Status::Internal(server.process->name() + " is still running");
  chunk_server_rpc_.Forget(server.address);
  return StartChunkServerProcess(index);
}

Status TestCluster::CheckDaemonsRunning() {
  // Only the master: a chunk server may be down on purpose, and waiting for an alive count
  // already catches one that died on its own.
  if (!master_->Running()) return Status::Unavailable("the master exited");
  return Status::Ok();
}

Status TestCluster::WaitForMasterAnswering(milliseconds deadline) {
  auto give_up = steady_clock::now() + deadline;
  Status last = Status::Unavailable("not asked yet");
  while (steady_clock::now() < give_up) {
    RETURN_IF_ERROR(CheckDaemonsRunning());
    Result<rpc::ClusterStatus> status = QueryClusterStatus();
    if (status.ok()) return Status::Ok();
    last = status.status();
    master_rpc_.Forget(master_address_);
    std::this_thread::sleep_for(kPollInterval);
  }
  return Status::Unavailable("master did not answer clusterStatus in time: " + last.ToString());
}

Status TestCluster::WaitForAliveChunkServers(int count, milliseconds deadline) {
  return WaitForAlive(count, /*exact=*/false, deadline);
}

Status TestCluster::WaitForExactlyAliveChunkServers(int count, milliseconds deadline) {
  return WaitForAlive(count, /*exact=*/true, deadline);
}

Status TestCluster::WaitForAlive(int count, bool exact, milliseconds deadline) {
  auto give_up = steady_clock::now() + deadline;
  int alive = -1;
  Status last;
  while (steady_clock::now() < give_up) {
    RETURN_IF_ERROR(CheckDaemonsRunning());
    Result<rpc::ClusterStatus> status = QueryClusterStatus();
    if (status.ok()) {
      alive = 0;
      for (const rpc::ChunkServerStatus& server : status->chunk_servers)
        alive += server.alive ? 1 : 0;
      if (exact ? alive == count : alive >= count) return Status::Ok();
    } else {
      last = status.status();
    }
    std::this_thread::sleep_for(kPollInterval);
  }
  return Status::Unavailable("waited for " + std::to_string(count) + " alive chunk servers, saw " +
                             std::to_string(alive) +
                             (last.ok() ? "" : " (" + last.ToString() + ")"));
}

Result<rpc::ClusterStatus> TestCluster::QueryClusterStatus() {
  return CallFor<rpc::ClusterStatus>(
      master_rpc_, master_address_,
      [](rpc::MasterServiceClient& client, rpc::ClusterStatus& out) { client.clusterStatus(out); });
}

Result<std::string> TestCluster::Mount() {
  int number = next_mount_number_++;
  std::string mountpoint = root_dir_ + "/mnt-" + std::to_string(number);
  fs::create_directories(mountpoint);
  MountedDir mounted;
  mounted.mountpoint = mountpoint;
  mounted.process = std::make_unique<DaemonProcess>(
      "mount-" + std::to_string(number),
      std::vector<std::string>{BinaryDir() + "/tessera-mount", "--masters",
                               master_address_.ToString(), "-f", "--log-level", "info", mountpoint},
      root_dir_ + "/mount-" + std::to_string(number) + ".log");
  RETURN_IF_ERROR(mounted.process->Start());
  DaemonProcess& process = *mounted.process;
  mounts_.push_back(std::move(mounted));
  auto give_up = steady_clock::now() + options_.ready_deadline;
  while (steady_clock::now() < give_up) {
    if (IsMountpoint(mountpoint)) return mountpoint;
    if (!process.Running()) {
      mounts_.pop_back();
      return Status::Unavailable("tessera-mount exited before mounting:\n" + process.LogTail());
    }
    std::this_thread::sleep_for(kPollInterval);
  }
  Status unmounted = Unmount(mountpoint);
  return Status::Unavailable("tessera-mount did not mount " + mountpoint + " in time" +
                             (unmounted.ok() ? "" : "; " + unmounted.ToString()));
}

Status TestCluster::Unmount(const std::string& mountpoint) {
  auto it = std::find_if(mounts_.begin(), mounts_.end(),
                         [&](const MountedDir& m) { return m.mountpoint == mountpoint; });
  if (it == mounts_.end()) return Status::NotFound(mountpoint + " was not mounted by this cluster");
  std::unique_ptr<DaemonProcess> process = std::move(it->process);
  mounts_.erase(it);
  if (IsMountpoint(mountpoint)) {
    // fusermount3 -u ends the FUSE session; tessera-mount then exits by itself. A busy mount is
    // detached lazily so that cleanup never hangs.
    for (const char* flag : {"-u", "-uz"}) {
      DaemonProcess fusermount("fusermount3", {"/usr/bin/fusermount3", flag, mountpoint},
                               process->log_path());
      RETURN_IF_ERROR(fusermount.Start());
      Result<int> exited = fusermount.WaitForExit(std::chrono::seconds(20));
      if (exited.ok() && WIFEXITED(*exited) && WEXITSTATUS(*exited) == 0) break;
    }
  }
  if (process->Running()) {
    Result<int> exited = process->WaitForExit(std::chrono::seconds(10));
    if (!exited.ok()) (void)process->Stop(std::chrono::seconds(5));
  }
  return IsMountpoint(mountpoint) ? Status::Internal(mountpoint + " is still mounted")
                                  : Status::Ok();
}

rpc::RequestContext TestCluster::NextContext() {
  rpc::RequestContext context;
  context.client_id = client_id_;
  context.sequence = next_sequence_++;
  context.uid = 0;
  context.gid = 0;
  context.request_id = "it-" + std::to_string(context.sequence);
  return context;
}

std::string TestCluster::DescribeLogs() const {
  std::string text;
  if (master_)
    text += "---- master log (" + master_->log_path() + ")\n" + master_->LogTail() + "\n";
  for (const ChunkServer& server : chunk_servers_) {
    if (!server.process) continue;
    text += "---- " + server.process->name() + " log\n" + server.process->LogTail(2000) + "\n";
  }
  for (const MountedDir& mounted : mounts_) {
    text += "---- " + mounted.process->name() + " log\n" + mounted.process->LogTail(2000) + "\n";
  }
  return text;
}

}  // namespace tessera::testing
