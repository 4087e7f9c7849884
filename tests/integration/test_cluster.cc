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

// For finding the leader: a master answers clusterStatus at once or is paused, dead or busy.
RpcClientOptions ProbeRpcOptions() {
  RpcClientOptions options;
  options.connect_timeout_ms = 500;
  options.io_timeout_ms = 1000;
  return options;
}

// The master's line in a clusterStatus reply, or nullptr.
const rpc::MasterStatus* LineOf(const rpc::ClusterStatus& status, int64_t id) {
  for (const rpc::MasterStatus& line : status.masters) {
    if (line.id == id) return &line;
  }
  return nullptr;
}

// True for the answers that mean "ask the leader (again)".
bool LeaderMayHaveMoved(const Status& status) {
  return status.code() == StatusCode::kNotLeader || status.code() == StatusCode::kUnavailable;
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
  if (options.masters < 1) return Status::InvalidArgument("a cluster needs a master");
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
      chunk_server_rpc_(TestRpcOptions()),
      probe_rpc_(ProbeRpcOptions()) {}

TestCluster::~TestCluster() { Shutdown(); }

void TestCluster::Shutdown() {
  while (!mounts_.empty()) {
    // A copy: Unmount erases the entry that a reference would point into.
    const std::string mountpoint = mounts_.back().mountpoint;
    (void)Unmount(mountpoint);
  }
  for (ChunkServer& server : chunk_servers_) {
    if (server.process->Running()) (void)server.process->Stop();
  }
  for (Master& master : masters_) {
    if (!master.process || !master.process->Running()) continue;
    (void)master.process->Signal(SIGCONT);  // a paused master could not handle SIGTERM
    (void)master.process->Stop();
  }
  const char* keep = getenv("TESSERA_KEEP_TEST_DIR");
  if (keep == nullptr || keep[0] == '\0') {
    std::error_code ignored;
    fs::remove_all(root_dir_, ignored);
  }
}

Result<int> TestCluster::PickPort() {
  ASSIGN_OR_RETURN(int port, PickFreePort(ports_taken_));
  ports_taken_.insert(port);
  return port;
}

Status TestCluster::AddAdminPort(int* port, std::vector<std::string>* argv) {
  if (!options_.admin_ports) return Status::Ok();
  if (*port == 0) {
    ASSIGN_OR_RETURN(*port, PickPort());
  }
  argv->insert(argv->end(), {"--admin-port", std::to_string(*port)});
  return Status::Ok();
}

Result<int> TestCluster::mount_admin_port(const std::string& mountpoint) const {
  for (const MountedDir& mounted : mounts_) {
    if (mounted.mountpoint == mountpoint) return mounted.admin_port;
  }
  return Status::NotFound(mountpoint + " was not mounted by this cluster");
}

Status TestCluster::StartAll() {
  for (int i = 0; i < options_.masters; ++i) {
    ASSIGN_OR_RETURN(int port, PickPort());
    Master master;
    master.address = HostPort{"127.0.0.1", port};
    master.name = options_.masters == 1 ? "master" : "master" + std::to_string(master_id(i));
    master.data_dir = root_dir_ + "/" + master.name + "/data";
    fs::create_directories(master.data_dir);
    masters_.push_back(std::move(master));
  }
  for (int i = 0; i < options_.masters; ++i) RETURN_IF_ERROR(StartMasterProcess(i));
  for (int i = 0; i < options_.chunk_servers; ++i) {
    ASSIGN_OR_RETURN(int port, PickPort());
    ChunkServer server;
    server.address = HostPort{"127.0.0.1", port};
    const std::string dir = root_dir_ + "/cs" + std::to_string(i + 1);  // its log lives here
    fs::create_directories(dir);
    auto given = options_.chunk_server_data_dirs.find(i);
    if (given != options_.chunk_server_data_dirs.end() && !given->second.empty()) {
      server.data_dirs = given->second;
    } else {
      server.data_dirs = {dir + "/data"};
    }
    for (const std::string& data_dir : server.data_dirs) fs::create_directories(data_dir);
    chunk_servers_.push_back(std::move(server));
    RETURN_IF_ERROR(StartChunkServerProcess(i));
  }
  auto deadline = options_.ready_deadline;
  if (options_.masters == 1) {
    RETURN_IF_ERROR(WaitForMasterAnswering(0, deadline));
  } else {
    RETURN_IF_ERROR(WaitForLeader(deadline).status());
  }
  return WaitForAliveChunkServers(options_.chunk_servers, deadline);
}

Status TestCluster::StartMasterProcess(int index) {
  Master& master = masters_.at(index);
  std::vector<std::string> argv = {
      BinaryDir() + "/tessera-master", "--listen", master.address.ToString(), "--data-dir",
      master.data_dir, "--default-goal", std::to_string(options_.default_goal),
      "--chunkserver-timeout-ms", std::to_string(options_.chunkserver_timeout_ms),
      "--gc-grace-ms", std::to_string(options_.gc_grace_ms), "--log-level", "info"};
  if (master.join) {
    argv.insert(argv.end(), {"--id", std::to_string(master_id(index)), "--join"});
  } else if (options_.masters > 1) {
    std::string peers;
    for (int i = 0; i < options_.masters; ++i) {
      peers += (i ? "," : "") + std::to_string(master_id(i)) + "=" +
               masters_[i].address.ToString();
    }
    argv.insert(argv.end(), {"--id", std::to_string(master_id(index)), "--peers", peers});
  }
  argv.insert(argv.end(), options_.extra_master_flags.begin(), options_.extra_master_flags.end());
  RETURN_IF_ERROR(AddAdminPort(&master.admin_port, &argv));
  master.process = std::make_unique<DaemonProcess>(master.name, std::move(argv),
                                                   root_dir_ + "/" + master.name + "/log");
  return master.process->Start();
}

std::string TestCluster::MasterList() const {
  std::string list;
  for (int i = 0; i < options_.masters; ++i) {
    list += (i ? "," : "") + masters_.at(i).address.ToString();
  }
  return list;
}

Status TestCluster::StartChunkServerProcess(int index) {
  ChunkServer& server = chunk_servers_.at(index);
  std::string name = "cs" + std::to_string(index + 1);
  std::vector<std::string> argv;
  auto prefix = options_.chunk_server_command_prefix.find(index);
  if (prefix != options_.chunk_server_command_prefix.end()) argv = prefix->second;
  argv.insert(argv.end(),
              {BinaryDir() + "/tessera-chunkserver", "--listen", server.address.ToString(),
               "--masters", MasterList(), "--rack", "rack" + std::to_string(index + 1),
               "--heartbeat-ms", std::to_string(options_.heartbeat_ms), "--log-level", "info"});
  for (const std::string& data_dir : server.data_dirs) {
    argv.insert(argv.end(), {"--data-dir", data_dir});
  }
  argv.insert(argv.end(), options_.extra_chunk_server_flags.begin(),
              options_.extra_chunk_server_flags.end());
  RETURN_IF_ERROR(AddAdminPort(&server.admin_port, &argv));
  server.process = std::make_unique<DaemonProcess>(name, std::move(argv),
                                                   root_dir_ + "/" + name + "/log");
  return server.process->Start();
}

const HostPort& TestCluster::chunk_server_address(int index) const {
  return chunk_servers_.at(index).address;
}

const std::string& TestCluster::chunk_server_data_dir(int index) const {
  return chunk_servers_.at(index).data_dirs.front();
}

const std::vector<std::string>& TestCluster::chunk_server_data_dirs(int index) const {
  return chunk_servers_.at(index).data_dirs;
}

Status TestCluster::DropChunkServerDataDir(int index, const std::string& dir) {
  std::vector<std::string>& dirs = chunk_servers_.at(index).data_dirs;
  auto it = std::find(dirs.begin(), dirs.end(), dir);
  if (it == dirs.end()) return Status::NotFound(dir + " is not a data dir of this server");
  if (dirs.size() == 1) return Status::InvalidArgument("a chunk server needs a data dir");
  dirs.erase(it);
  return Status::Ok();
}

DaemonProcess& TestCluster::chunk_server(int index) { return *chunk_servers_.at(index).process; }

const HostPort& TestCluster::master_address(int index) const { return masters_.at(index).address; }

DaemonProcess& TestCluster::master(int index) { return *masters_.at(index).process; }

const std::string& TestCluster::master_data_dir(int index) const {
  return masters_.at(index).data_dir;
}

Result<int> TestCluster::ChunkServerIndexByPort(int port) const {
  for (size_t i = 0; i < chunk_servers_.size(); ++i) {
    if (chunk_servers_[i].address.port == port) return static_cast<int>(i);
  }
  return Status::NotFound("no chunk server of this cluster listens on port " +
                          std::to_string(port));
}

Status TestCluster::RestartMaster(int index) {
  Master& master = masters_.at(index);
  if (master.process->Running()) {
    return Status::Internal(master.name + " is still running; stop it first");
  }
  RETURN_IF_ERROR(StartMasterProcess(index));
  // The old connections went to the dead process.
  master_rpc_.Forget(master.address);
  probe_rpc_.Forget(master.address);
  return WaitForMasterAnswering(index, options_.ready_deadline);
}

Status TestCluster::WipeAndRestartMaster(int index) {
  Master& master = masters_.at(index);
  if (master.process->Running()) {
    return Status::Internal(master.name + " is still running; stop it first");
  }
  std::error_code error;
  fs::remove_all(master.data_dir, error);
  if (error) return Status::IoError("cannot delete " + master.data_dir + ": " + error.message());
  fs::create_directories(master.data_dir);
  master.join = true;
  return RestartMaster(index);
}

Result<int> TestCluster::StartJoiningMaster() {
  ASSIGN_OR_RETURN(int port, PickPort());
  const int index = master_count();
  Master master;
  master.address = HostPort{"127.0.0.1", port};
  master.name = "master" + std::to_string(master_id(index));
  master.data_dir = root_dir_ + "/" + master.name + "/data";
  master.join = true;
  fs::create_directories(master.data_dir);
  masters_.push_back(std::move(master));
  RETURN_IF_ERROR(StartMasterProcess(index));
  RETURN_IF_ERROR(WaitForMasterAnswering(index, options_.ready_deadline));
  return index;
}

Result<rpc::ClusterStatus> TestCluster::ProbeClusterStatus(int index) {
  const HostPort& address = masters_.at(index).address;
  return CallFor<rpc::ClusterStatus>(
      probe_rpc_, address,
      [](rpc::MasterServiceClient& client, rpc::ClusterStatus& out) { client.clusterStatus(out); });
}

Result<int> TestCluster::WaitForLeader(milliseconds deadline, int skip) {
  auto give_up = steady_clock::now() + deadline;
  std::string last = "no master running";
  while (steady_clock::now() < give_up) {
    int leader = -1;
    int64_t leader_term = -1;
    for (int i = 0; i < master_count(); ++i) {
      if (i == skip || !masters_[i].process->Running()) continue;
      Result<rpc::ClusterStatus> status = ProbeClusterStatus(i);
      if (!status.ok()) {
        last = masters_[i].name + ": " + status.status().ToString();
        continue;
      }
      const rpc::MasterStatus* self = LineOf(*status, master_id(i));
      const int64_t term = self != nullptr ? self->term : 0;
      if (term > leader_term) {
        leader = i;
        leader_term = term;
      }
    }
    if (leader >= 0) return leader;
    std::this_thread::sleep_for(kPollInterval);
  }
  return Status::Unavailable("no master leader within the deadline; last answer: " + last);
}

Status TestCluster::WaitForCaughtUp(int index, milliseconds deadline) {
  auto give_up = steady_clock::now() + deadline;
  int64_t target = -1;
  std::string last = "not asked yet";
  while (steady_clock::now() < give_up) {
    Result<rpc::ClusterStatus> status = QueryClusterStatus();
    if (status.ok()) {
      const rpc::MasterStatus* line = LineOf(*status, master_id(index));
      int64_t commit = 0;
      for (const rpc::MasterStatus& other : status->masters) {
        if (other.role == "leader") commit = other.commit_index;
      }
      if (target < 0) target = commit;
      if (line == nullptr) {
        last = masters_.at(index).name + " is not a member";
      } else {
        last = masters_.at(index).name + " is a " + (line->voter ? "voter" : "learner") +
               " with match index " + std::to_string(line->match_index) + ", role " +
               line->role + "; target " + std::to_string(target);
        if (line->voter && line->match_index >= target) return Status::Ok();
      }
    } else {
      last = status.status().ToString();
    }
    std::this_thread::sleep_for(kPollInterval);
  }
  return Status::Unavailable("master did not catch up in time: " + last);
}

Status TestCluster::CallOnLeader(const std::function<void(rpc::MasterServiceClient&)>& call,
                                 milliseconds deadline) {
  auto give_up = steady_clock::now() + deadline;
  Status last = Status::Unavailable("no leader found");
  while (steady_clock::now() < give_up) {
    auto left = std::chrono::duration_cast<milliseconds>(give_up - steady_clock::now());
    Result<int> leader = WaitForLeader(std::max(left, milliseconds(1)));
    if (!leader.ok()) return leader.status();
    last = CallVoid(master_rpc_, masters_[*leader].address, call);
    if (!LeaderMayHaveMoved(last)) return last;
    std::this_thread::sleep_for(kPollInterval);
  }
  return last;
}

Status TestCluster::TransferLeadership(int index, milliseconds deadline) {
  auto give_up = steady_clock::now() + deadline;
  Status last = Status::Unavailable("not tried yet");
  while (steady_clock::now() < give_up) {
    auto left = std::chrono::duration_cast<milliseconds>(give_up - steady_clock::now());
    ASSIGN_OR_RETURN(int leader, WaitForLeader(std::max(left, milliseconds(1))));
    if (leader == index) return Status::Ok();
    last = CallVoid(master_rpc_, masters_[leader].address,
                    [&](rpc::MasterServiceClient& c) { c.transferLeader(master_id(index)); });
    // The hand-over completes within an election timeout; poll for the new leader briefly,
    // then ask again (the target may not have been caught up yet).
    auto retry_at = steady_clock::now() + std::chrono::seconds(2);
    while (steady_clock::now() < std::min(retry_at, give_up)) {
      Result<int> now = WaitForLeader(milliseconds(500));
      if (now.ok() && *now == index) return Status::Ok();
      std::this_thread::sleep_for(kPollInterval);
    }
  }
  return Status::Unavailable("leadership did not move to " + masters_.at(index).name +
                             " in time; last answer: " + last.ToString());
}

Status TestCluster::AddMaster(int index, milliseconds deadline) {
  const Master& master = masters_.at(index);
  return CallOnLeader(
      [&](rpc::MasterServiceClient& c) { c.addMaster(master_id(index), master.address.ToString()); },
      deadline);
}

Status TestCluster::RemoveMaster(int index, milliseconds deadline) {
  return CallOnLeader([&](rpc::MasterServiceClient& c) { c.removeMaster(master_id(index)); },
                      deadline);
}

Status TestCluster::RestartChunkServer(int index) {
  ChunkServer& server = chunk_servers_.at(index);
  if (server.process->Running())
    return Status::Internal(server.process->name() + " is still running");
  chunk_server_rpc_.Forget(server.address);
  return StartChunkServerProcess(index);
}

Status TestCluster::CheckDaemonsRunning() {
  // Only a single master: a chunk server (or a master of a group) may be down on purpose, and
  // waiting for an alive count or a leader already catches one that died on its own.
  if (options_.masters == 1 && !masters_.at(0).process->Running()) {
    return Status::Unavailable("the master exited");
  }
  return Status::Ok();
}

Status TestCluster::WaitForMasterAnswering(int index, milliseconds deadline) {
  Master& master = masters_.at(index);
  // A group member that is not the leader answers NOT_LEADER, which proves it serves RPCs.
  const bool in_group = options_.masters > 1 || master.join;
  auto give_up = steady_clock::now() + deadline;
  Status last = Status::Unavailable("not asked yet");
  while (steady_clock::now() < give_up) {
    if (!master.process->Running()) return Status::Unavailable(master.name + " exited");
    last = CallFor<rpc::ClusterStatus>(master_rpc_, master.address,
                                       [](rpc::MasterServiceClient& client,
                                          rpc::ClusterStatus& out) { client.clusterStatus(out); })
               .status();
    if (last.ok() || (in_group && last.code() == StatusCode::kNotLeader)) return Status::Ok();
    master_rpc_.Forget(master.address);
    std::this_thread::sleep_for(kPollInterval);
  }
  return Status::Unavailable(master.name + " did not answer clusterStatus in time: " +
                             last.ToString());
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
  auto ask = [this](int index) {
    return CallFor<rpc::ClusterStatus>(master_rpc_, masters_.at(index).address,
                                       [](rpc::MasterServiceClient& client,
                                          rpc::ClusterStatus& out) { client.clusterStatus(out); });
  };
  if (master_count() == 1) return ask(0);
  // Only the leader answers; when none does, the last refusal explains why.
  Result<rpc::ClusterStatus> last = Status::Unavailable("no master running");
  for (int i = 0; i < master_count(); ++i) {
    if (!masters_[i].process->Running()) continue;
    Result<rpc::ClusterStatus> status = ProbeClusterStatus(i);
    if (status.ok()) return status;
    last = std::move(status);
  }
  return last;
}

Result<std::string> TestCluster::Mount() {
  int number = next_mount_number_++;
  std::string mountpoint = root_dir_ + "/mnt-" + std::to_string(number);
  fs::create_directories(mountpoint);
  MountedDir mounted;
  mounted.mountpoint = mountpoint;
  std::vector<std::string> argv{BinaryDir() + "/tessera-mount", "--masters", MasterList(), "-f",
                                "--log-level", "info"};
  RETURN_IF_ERROR(AddAdminPort(&mounted.admin_port, &argv));
  argv.push_back(mountpoint);
  mounted.process = std::make_unique<DaemonProcess>("mount-" + std::to_string(number),
                                                    std::move(argv),
                                                    root_dir_ + "/mount-" + std::to_string(number) +
                                                        ".log");
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
  for (const Master& master : masters_) {
    if (!master.process) continue;
    text += "---- " + master.name + " log (" + master.process->log_path() + ")\n" +
            master.process->LogTail() + "\n";
  }
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
