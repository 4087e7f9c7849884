// MasterClient: the production MasterConnection. It finds the master leader and keeps talking
// to it:
//   - tries the remembered leader first, then every known master in turn;
//   - on NOT_LEADER with a leader_hint it goes straight to the hinted master;
//   - on UNAVAILABLE (or NOT_LEADER without a hint) it moves to the next master, and after a
//     whole round without a leader it backs off exponentially (50 ms doubling to 100 ms) until
//     ClientOptions::master_retry_deadline_ms has passed, then returns the last error;
//   - any other error is the answer and is returned at once.
// Mutating calls carry (client_id, sequence) from a ClientSessionPool; the retries of one call
// reuse its RequestContext so the master answers a retry instead of applying it twice.
//
// The network is behind MasterRpcChannel so that leader discovery is testable without sockets.
//
// Thread-safety: MasterClient is thread-safe. mu_ guards only the remembered leader and the
// list of known masters; it is never held across a call.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "client/master_connection.h"
#include "client/request_context.h"
#include "common/address.h"
#include "common/rpc_client.h"
#include "common/rpc_client_metrics.h"
#include "common/rpc_errors.h"
#include "gen-cpp/MasterService.h"

namespace tessera::client {

// Runs one MasterService call against one master address.
class MasterRpcChannel {
 public:
  virtual ~MasterRpcChannel() = default;
  virtual RpcOutcome Call(const HostPort& address,
                          const std::function<void(rpc::MasterServiceIf&)>& call) = 0;
};

// Pooled Thrift connections.
std::unique_ptr<MasterRpcChannel> NewThriftMasterChannel(const RpcClientOptions& options);

struct MasterClientOptions {
  std::vector<HostPort> masters;  // REQUIRES: not empty
  int retry_deadline_ms = 30000;
  int initial_backoff_ms = 50;
  // Short: while the masters elect a new leader (well under a second) the client should find it
  // soon after, not sleep through it; a round of failed calls to masters costs little.
  int max_backoff_ms = 100;
  // Borrowed, may be null: every attempt (each try of each master) is timed and counted there
  // as service "MasterService", method = the Thrift method. Outlives the client.
  RpcClientMetrics* rpc_metrics = nullptr;
};

class MasterClient final : public MasterConnection {
 public:
  MasterClient(MasterClientOptions options, std::unique_ptr<MasterRpcChannel> channel);

  Result<rpc::Attr> Lookup(const Caller& caller, int64_t parent, const std::string& name) override;
  Result<rpc::Attr> GetAttr(const Caller& caller, int64_t inode) override;
  Result<rpc::Attr> SetAttr(const Caller& caller, int64_t inode,
                            const rpc::SetAttrRequest& request) override;
  Result<rpc::Attr> Mkdir(const Caller& caller, int64_t parent, const std::string& name,
                          int32_t mode) override;
  Result<rpc::Attr> Create(const Caller& caller, int64_t parent, const std::string& name,
                           int32_t mode) override;
  Result<rpc::ReaddirReply> Readdir(const Caller& caller, int64_t inode,
                                    const std::string& after_name, int32_t max_entries,
                                    bool with_attrs) override;
  uint64_t MutationCount() const override { return mutations_.load(std::memory_order_acquire); }
  Status Unlink(const Caller& caller, int64_t parent, const std::string& name) override;
  Status Rmdir(const Caller& caller, int64_t parent, const std::string& name) override;
  Status Rename(const Caller& caller, int64_t old_parent, const std::string& old_name,
                int64_t new_parent, const std::string& new_name, int32_t flags) override;
  Result<rpc::StatfsReply> Statfs(const Caller& caller) override;
  Result<rpc::Attr> Link(const Caller& caller, int64_t inode, int64_t new_parent,
                         const std::string& new_name) override;
  Result<rpc::Attr> Symlink(const Caller& caller, int64_t parent, const std::string& name,
                            const std::string& target) override;
  Result<rpc::Attr> Mknod(const Caller& caller, int64_t parent, const std::string& name,
                          rpc::FileType::type type, int32_t mode) override;
  Result<std::vector<rpc::ChunkInfo>> GetChunks(const Caller& caller, int64_t inode,
                                                int64_t first_index, int32_t count) override;
  Result<rpc::ChunkInfo> PrepareWrite(const Caller& caller, int64_t inode,
                                      int64_t chunk_index) override;
  Status SyncMetadata(const Caller& caller) override;
  Status ReportCorruptReplica(int64_t chunk_id, int64_t server_id) override;
  Result<rpc::Attr> CommitWrite(const Caller& caller, int64_t inode, int64_t end_offset,
                                int64_t mtime_ns) override;
  Result<rpc::Attr> ReserveAppend(const Caller& caller, int64_t inode, int64_t length,
                                  int64_t mtime_ns) override;
  Result<rpc::ClusterStatus> ClusterStatus() override;
  Result<rpc::Attr> Access(const Caller& caller, int64_t inode, int32_t mask) override;
  Status SetXattr(const Caller& caller, int64_t inode, const std::string& name,
                  const std::string& value, int32_t flags) override;
  Result<std::string> GetXattr(const Caller& caller, int64_t inode,
                               const std::string& name) override;
  Result<std::vector<std::string>> ListXattrs(const Caller& caller, int64_t inode) override;
  Status RemoveXattr(const Caller& caller, int64_t inode, const std::string& name) override;
  Result<rpc::Attr> TouchAtime(const Caller& caller, int64_t inode) override;
  Status ReportOpenFiles(int64_t mount_id, const std::vector<int64_t>& inodes) override;
  Result<rpc::SetLockReply> SetLock(const Caller& caller, const rpc::FileLock& lock) override;
  Result<rpc::FileLock> GetLock(const Caller& caller, const rpc::FileLock& lock) override;
  Result<rpc::MountHeartbeatReply> MountHeartbeat(int64_t mount_id) override;

  // Operators' changes to the master group (not part of MasterConnection: only the CLI needs
  // them). Retries follow the leader like every call; a retried add may answer ALREADY_EXISTS.
  Status AddMaster(int64_t id, const HostPort& address);
  Status RemoveMaster(int64_t id);
  // id 0: let the leader pick the most up-to-date master.
  Status TransferLeader(int64_t id);
  // Replicas wanted for a file, or for what is created in a directory from now on.
  Result<rpc::Attr> SetGoal(const Caller& caller, int64_t inode, int32_t goal);
  // Chunk health of the files under `path`, as the leader knows it.
  Result<rpc::FsckReply> Fsck(const std::string& path);
  // Every chunk of the regular file at `path` and where its replicas are (`tessera fileinfo`).
  Result<rpc::FileInfoReply> FileInfo(const std::string& path);
  // Starts or stops draining chunk server `server_id` (`tessera decommission`).
  Status StartDecommission(int64_t server_id);
  Status CancelDecommission(int64_t server_id);
  // `tessera balance` (MasterService startBalance / stopBalance / balanceStatus).
  Status StartBalance(double threshold_pct, int64_t bandwidth_bytes_per_sec);
  Status StopBalance();
  Result<rpc::BalanceStatus> BalanceStatus();

  // The master that answered last, if any (for tests and status output).
  std::optional<HostPort> leader() const;

 private:
  using Call = std::function<void(rpc::MasterServiceIf&, const rpc::RequestContext&)>;

  // Runs a read-only call (sequence 0) with leader discovery and retry.
  Status Read(const Caller& caller, const char* what, const Call& call);
  // Runs a mutating call under a session of its own (see request_context.h).
  Status Mutate(const Caller& caller, const char* what, const Call& call);
  Status Invoke(const rpc::RequestContext& ctx, const char* what, const Call& call);

  HostPort FirstCandidate() const;
  HostPort NextCandidate(const HostPort& current) const;
  void RememberLeader(const HostPort& address);

  const MasterClientOptions options_;
  const std::unique_ptr<MasterRpcChannel> channel_;
  RequestIdGenerator request_ids_;
  ClientSessionPool sessions_{request_ids_};
  const int64_t read_client_id_ = request_ids_.NextClientId();
  std::atomic<uint64_t> mutations_{0};  // Mutate calls returned so far

  mutable std::mutex mu_;  // guards leader_ and known_
  std::optional<HostPort> leader_;
  std::vector<HostPort> known_;  // configured masters plus leaders learned from hints
};

}  // namespace tessera::client
