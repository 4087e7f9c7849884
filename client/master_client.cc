#include "client/master_client.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include "common/logging.h"

namespace tessera::client {
namespace {

constexpr char kComponent[] = "client";
// A chain of hints longer than this (masters pointing at each other during an election) is
// treated like a round without a leader: back off, then start over.
constexpr int kMaxHintHops = 8;

class ThriftMasterChannel final : public MasterRpcChannel {
 public:
  explicit ThriftMasterChannel(const RpcClientOptions& options) : pool_(options) {}

  RpcOutcome Call(const HostPort& address,
                  const std::function<void(rpc::MasterServiceIf&)>& call) override {
    return pool_.Call(address, [&](rpc::MasterServiceClient& client) { call(client); });
  }

 private:
  RpcClientPool<rpc::MasterServiceClient> pool_;
};

}  // namespace

std::unique_ptr<MasterRpcChannel> NewThriftMasterChannel(const RpcClientOptions& options) {
  return std::make_unique<ThriftMasterChannel>(options);
}

MasterClient::MasterClient(MasterClientOptions options, std::unique_ptr<MasterRpcChannel> channel)
    : options_(std::move(options)), channel_(std::move(channel)), known_(options_.masters) {}

std::optional<HostPort> MasterClient::leader() const {
  std::lock_guard lock(mu_);
  return leader_;
}

HostPort MasterClient::FirstCandidate() const {
  std::lock_guard lock(mu_);
  return leader_ ? *leader_ : known_.front();
}

HostPort MasterClient::NextCandidate(const HostPort& current) const {
  std::lock_guard lock(mu_);
  auto it = std::find(known_.begin(), known_.end(), current);
  if (it == known_.end() || ++it == known_.end()) return known_.front();
  return *it;
}

void MasterClient::RememberLeader(const HostPort& address) {
  std::lock_guard lock(mu_);
  if (leader_ != address) {
    LOG(kInfo, kComponent) << "master leader is " << address.ToString();
    leader_ = address;
  }
  if (std::find(known_.begin(), known_.end(), address) == known_.end()) known_.push_back(address);
}

Status MasterClient::Invoke(const rpc::RequestContext& ctx, const char* what, const Call& call) {
  using SteadyClock = std::chrono::steady_clock;
  const auto deadline = SteadyClock::now() + std::chrono::milliseconds(options_.retry_deadline_ms);
  auto backoff = std::chrono::milliseconds(options_.initial_backoff_ms);
  HostPort candidate = FirstCandidate();
  HostPort round_start = candidate;
  int hint_hops = 0;
  Status last_error;
  for (;;) {
    RpcOutcome outcome = MeasureRpc(options_.rpc_metrics, "MasterService", what, [&] {
      return channel_->Call(candidate, [&](rpc::MasterServiceIf& master) { call(master, ctx); });
    });
    if (outcome.status.ok()) {
      RememberLeader(candidate);
      return Status::Ok();
    }
    StatusCode code = outcome.status.code();
    if (code != StatusCode::kNotLeader && code != StatusCode::kUnavailable) {
      // A real answer from the leader (not found, permission denied, ...).
      RememberLeader(candidate);
      return outcome.status;
    }
    last_error = outcome.status;
    {
      std::lock_guard lock(mu_);
      if (leader_ == candidate) leader_.reset();
    }
    if (code == StatusCode::kNotLeader && !outcome.leader_hint.empty() &&
        hint_hops < kMaxHintHops) {
      Result<HostPort> hint = ParseHostPort(outcome.leader_hint);
      if (hint.ok() && *hint != candidate) {
        LOG_REQ(kInfo, kComponent, ctx.request_id)
            << what << ": " << candidate.ToString() << " is not the leader, following hint "
            << hint->ToString();
        ++hint_hops;
        candidate = *hint;
        continue;
      }
    }
    LOG_REQ(kInfo, kComponent, ctx.request_id)
        << what << ": master " << candidate.ToString() << " failed (" << outcome.status.ToString()
        << "), trying the next one";
    candidate = NextCandidate(candidate);
    if (candidate != round_start && hint_hops == 0) continue;
    // A whole round (or a loop of hints) without a leader: wait before the next round.
    if (SteadyClock::now() + backoff > deadline) {
      LOG_REQ(kWarning, kComponent, ctx.request_id)
          << what << ": no master leader reachable within " << options_.retry_deadline_ms
          << " ms, giving up";
      return Status(code == StatusCode::kNotLeader ? StatusCode::kUnavailable : code,
                    std::string("no master leader reachable: ") + last_error.message());
    }
    std::this_thread::sleep_for(backoff);
    backoff = std::min(backoff * 2, std::chrono::milliseconds(options_.max_backoff_ms));
    hint_hops = 0;
    round_start = candidate;
  }
}

Status MasterClient::Read(const Caller& caller, const char* what, const Call& call) {
  return Invoke(MakeRequestContext(caller, read_client_id_, 0, request_ids_.Next()), what, call);
}

Status MasterClient::Mutate(const Caller& caller, const char* what, const Call& call) {
  ClientSession session = sessions_.Acquire();
  Status status = Invoke(
      MakeRequestContext(caller, session.client_id, session.last_sequence, request_ids_.Next()),
      what, call);
  sessions_.Release(session);
  // Counted even when it failed: a call that timed out may still have been applied.
  mutations_.fetch_add(1, std::memory_order_release);
  return status;
}

Result<rpc::Attr> MasterClient::Lookup(const Caller& caller, int64_t parent,
                                       const std::string& name) {
  rpc::Attr attr;
  RETURN_IF_ERROR(
      Read(caller, "lookup", [&](rpc::MasterServiceIf& m, const rpc::RequestContext& c) {
        m.lookup(attr, c, parent, name);
      }));
  return attr;
}

Result<rpc::Attr> MasterClient::GetAttr(const Caller& caller, int64_t inode) {
  rpc::Attr attr;
  RETURN_IF_ERROR(Read(
      caller, "getattr",
      [&](rpc::MasterServiceIf& m, const rpc::RequestContext& c) { m.getattr(attr, c, inode); }));
  return attr;
}

Result<rpc::Attr> MasterClient::SetAttr(const Caller& caller, int64_t inode,
                                        const rpc::SetAttrRequest& request) {
  rpc::Attr attr;
  RETURN_IF_ERROR(
      Mutate(caller, "setattr", [&](rpc::MasterServiceIf& m, const rpc::RequestContext& c) {
        m.setattr(attr, c, inode, request);
      }));
  return attr;
}

Result<rpc::Attr> MasterClient::Mkdir(const Caller& caller, int64_t parent, const std::string& name,
                                      int32_t mode) {
  rpc::Attr attr;
  RETURN_IF_ERROR(
      Mutate(caller, "mkdir", [&](rpc::MasterServiceIf& m, const rpc::RequestContext& c) {
        m.mkdir(attr, c, parent, name, mode);
      }));
  return attr;
}

Result<rpc::Attr> MasterClient::Create(const Caller& caller, int64_t parent,
                                       const std::string& name, int32_t mode) {
  rpc::Attr attr;
  RETURN_IF_ERROR(
      Mutate(caller, "create", [&](rpc::MasterServiceIf& m, const rpc::RequestContext& c) {
        m.create(attr, c, parent, name, mode);
      }));
  return attr;
}

Result<rpc::ReaddirReply> MasterClient::Readdir(const Caller& caller, int64_t inode,
                                                const std::string& after_name,
                                                int32_t max_entries, bool with_attrs) {
  rpc::ReaddirReply reply;
  RETURN_IF_ERROR(
      Read(caller, "readdir", [&](rpc::MasterServiceIf& m, const rpc::RequestContext& c) {
        m.readdir(reply, c, inode, after_name, max_entries, with_attrs);
      }));
  return reply;
}

Status MasterClient::Unlink(const Caller& caller, int64_t parent, const std::string& name) {
  return Mutate(caller, "unlink", [&](rpc::MasterServiceIf& m, const rpc::RequestContext& c) {
    m.unlink(c, parent, name);
  });
}

Status MasterClient::Rmdir(const Caller& caller, int64_t parent, const std::string& name) {
  return Mutate(caller, "rmdir", [&](rpc::MasterServiceIf& m, const rpc::RequestContext& c) {
    m.rmdir(c, parent, name);
  });
}

Status MasterClient::Rename(const Caller& caller, int64_t old_parent, const std::string& old_name,
                            int64_t new_parent, const std::string& new_name, int32_t flags) {
  return Mutate(caller, "rename", [&](rpc::MasterServiceIf& m, const rpc::RequestContext& c) {
    m.rename(c, old_parent, old_name, new_parent, new_name, flags);
  });
}

Result<rpc::Attr> MasterClient::Link(const Caller& caller, int64_t inode, int64_t new_parent,
                                     const std::string& new_name) {
  rpc::Attr attr;
  RETURN_IF_ERROR(
      Mutate(caller, "link", [&](rpc::MasterServiceIf& m, const rpc::RequestContext& c) {
        m.link(attr, c, inode, new_parent, new_name);
      }));
  return attr;
}

Result<rpc::Attr> MasterClient::Symlink(const Caller& caller, int64_t parent,
                                        const std::string& name, const std::string& target) {
  rpc::Attr attr;
  RETURN_IF_ERROR(
      Mutate(caller, "symlink", [&](rpc::MasterServiceIf& m, const rpc::RequestContext& c) {
        m.symlink(attr, c, parent, name, target);
      }));
  return attr;
}

Result<rpc::Attr> MasterClient::Mknod(const Caller& caller, int64_t parent,
                                      const std::string& name, rpc::FileType::type type,
                                      int32_t mode) {
  rpc::Attr attr;
  RETURN_IF_ERROR(
      Mutate(caller, "mknod", [&](rpc::MasterServiceIf& m, const rpc::RequestContext& c) {
        m.mknod(attr, c, parent, name, type, mode);
      }));
  return attr;
}

Result<rpc::StatfsReply> MasterClient::Statfs(const Caller& caller) {
  rpc::StatfsReply reply;
  RETURN_IF_ERROR(
      Read(caller, "statfs",
           [&](rpc::MasterServiceIf& m, const rpc::RequestContext& c) { m.statfs(reply, c); }));
  return reply;
}

Result<std::vector<rpc::ChunkInfo>> MasterClient::GetChunks(const Caller& caller, int64_t inode,
                                                            int64_t first_index, int32_t count) {
  std::vector<rpc::ChunkInfo> chunks;
  RETURN_IF_ERROR(
      Read(caller, "getChunks", [&](rpc::MasterServiceIf& m, const rpc::RequestContext& c) {
        m.getChunks(chunks, c, inode, first_index, count);
      }));
  return chunks;
}

Result<rpc::ChunkInfo> MasterClient::PrepareWrite(const Caller& caller, int64_t inode,
                                                  int64_t chunk_index) {
  rpc::ChunkInfo info;
  RETURN_IF_ERROR(
      Mutate(caller, "prepareWrite", [&](rpc::MasterServiceIf& m, const rpc::RequestContext& c) {
        m.prepareWrite(info, c, inode, chunk_index);
      }));
  return info;
}

Result<rpc::Attr> MasterClient::CommitWrite(const Caller& caller, int64_t inode, int64_t end_offset,
                                            int64_t mtime_ns) {
  rpc::Attr attr;
  RETURN_IF_ERROR(
      Mutate(caller, "commitWrite", [&](rpc::MasterServiceIf& m, const rpc::RequestContext& c) {
        m.commitWrite(attr, c, inode, end_offset, mtime_ns);
      }));
  return attr;
}

Result<rpc::Attr> MasterClient::ReserveAppend(const Caller& caller, int64_t inode, int64_t length,
                                              int64_t mtime_ns) {
  rpc::Attr attr;
  // A session mutation: a retry after a lost answer gets the first reservation's answer back
  // instead of reserving a second range.
  RETURN_IF_ERROR(
      Mutate(caller, "reserveAppend", [&](rpc::MasterServiceIf& m, const rpc::RequestContext& c) {
        m.reserveAppend(attr, c, inode, length, mtime_ns);
      }));
  return attr;
}

Result<rpc::Attr> MasterClient::TouchAtime(const Caller& caller, int64_t inode) {
  rpc::Attr attr;
  // A session mutation like any other; applying it twice would be harmless too (never backwards).
  RETURN_IF_ERROR(
      Mutate(caller, "touchAtime", [&](rpc::MasterServiceIf& m, const rpc::RequestContext& c) {
        m.touchAtime(attr, c, inode);
      }));
  return attr;
}

Status MasterClient::ReportCorruptReplica(int64_t chunk_id, int64_t server_id) {
  // Changes only soft state, and a repeat is harmless: no session needed.
  return Read(Caller{}, "reportCorruptReplica",
              [&](rpc::MasterServiceIf& m, const rpc::RequestContext& c) {
                m.reportCorruptReplica(c, chunk_id, server_id);
              });
}

Status MasterClient::SyncMetadata(const Caller& caller) {
  // Changes nothing, so a retry after a failover needs no sequence number.
  return Read(caller, "syncMetadata", [&](rpc::MasterServiceIf& m, const rpc::RequestContext& c) {
    m.syncMetadata(c);
  });
}

Status MasterClient::ReportOpenFiles(int64_t mount_id, const std::vector<int64_t>& inodes) {
  // Soft state on the leader, replaced by the next report: no session needed.
  return Read(Caller{}, "reportOpenFiles",
              [&](rpc::MasterServiceIf& m, const rpc::RequestContext& c) {
                m.reportOpenFiles(c, mount_id, inodes);
              });
}

Result<rpc::ClusterStatus> MasterClient::ClusterStatus() {
  rpc::ClusterStatus status;
  RETURN_IF_ERROR(
      Read(Caller{}, "clusterStatus",
           [&](rpc::MasterServiceIf& m, const rpc::RequestContext&) { m.clusterStatus(status); }));
  return status;
}

Result<rpc::Attr> MasterClient::Access(const Caller& caller, int64_t inode, int32_t mask) {
  rpc::Attr attr;
  RETURN_IF_ERROR(Read(caller, "access", [&](rpc::MasterServiceIf& m, const rpc::RequestContext& c) {
    m.access(attr, c, inode, mask);
  }));
  return attr;
}

Status MasterClient::AddMaster(int64_t id, const HostPort& address) {
  return Read(Caller{}, "addMaster", [&](rpc::MasterServiceIf& m, const rpc::RequestContext&) {
    m.addMaster(id, address.ToString());
  });
}

Status MasterClient::RemoveMaster(int64_t id) {
  return Read(Caller{}, "removeMaster",
              [&](rpc::MasterServiceIf& m, const rpc::RequestContext&) { m.removeMaster(id); });
}

Status MasterClient::TransferLeader(int64_t id) {
  return Read(Caller{}, "transferLeader",
              [&](rpc::MasterServiceIf& m, const rpc::RequestContext&) { m.transferLeader(id); });
}

Result<rpc::Attr> MasterClient::SetGoal(const Caller& caller, int64_t inode, int32_t goal) {
  rpc::Attr attr;
  RETURN_IF_ERROR(
      Mutate(caller, "setGoal", [&](rpc::MasterServiceIf& m, const rpc::RequestContext& c) {
        m.setGoal(attr, c, inode, goal);
      }));
  return attr;
}

Result<rpc::FsckReply> MasterClient::Fsck(const std::string& path) {
  rpc::FsckReply reply;
  RETURN_IF_ERROR(Read(Caller{}, "fsck", [&](rpc::MasterServiceIf& m, const rpc::RequestContext& c) {
    m.fsck(reply, c, path);
  }));
  return reply;
}

Result<rpc::FileInfoReply> MasterClient::FileInfo(const std::string& path) {
  rpc::FileInfoReply reply;
  RETURN_IF_ERROR(
      Read(Caller{}, "fileInfo", [&](rpc::MasterServiceIf& m, const rpc::RequestContext& c) {
        m.fileInfo(reply, c, path);
      }));
  return reply;
}

Status MasterClient::StartDecommission(int64_t server_id) {
  return Mutate(Caller{}, "startDecommission",
                [&](rpc::MasterServiceIf& m, const rpc::RequestContext& c) {
                  m.startDecommission(c, server_id);
                });
}

Status MasterClient::CancelDecommission(int64_t server_id) {
  return Mutate(Caller{}, "cancelDecommission",
                [&](rpc::MasterServiceIf& m, const rpc::RequestContext& c) {
                  m.cancelDecommission(c, server_id);
                });
}

Status MasterClient::StartBalance(double threshold_pct, int64_t bandwidth_bytes_per_sec) {
  return Mutate(Caller{}, "startBalance",
                [&](rpc::MasterServiceIf& m, const rpc::RequestContext& c) {
                  m.startBalance(c, threshold_pct, bandwidth_bytes_per_sec);
                });
}

Status MasterClient::StopBalance() {
  return Mutate(Caller{}, "stopBalance",
                [&](rpc::MasterServiceIf& m, const rpc::RequestContext& c) { m.stopBalance(c); });
}

Result<rpc::BalanceStatus> MasterClient::BalanceStatus() {
  rpc::BalanceStatus status;
  RETURN_IF_ERROR(
      Read(Caller{}, "balanceStatus",
           [&](rpc::MasterServiceIf& m, const rpc::RequestContext&) { m.balanceStatus(status); }));
  return status;
}

Status MasterClient::SetXattr(const Caller& caller, int64_t inode, const std::string& name,
                              const std::string& value, int32_t flags) {
  return Mutate(caller, "setXattr", [&](rpc::MasterServiceIf& m, const rpc::RequestContext& c) {
    m.setXattr(c, inode, name, value, flags);
  });
}

Result<std::string> MasterClient::GetXattr(const Caller& caller, int64_t inode,
                                           const std::string& name) {
  std::string value;
  RETURN_IF_ERROR(
      Read(caller, "getXattr", [&](rpc::MasterServiceIf& m, const rpc::RequestContext& c) {
        m.getXattr(value, c, inode, name);
      }));
  return value;
}

Result<std::vector<std::string>> MasterClient::ListXattrs(const Caller& caller, int64_t inode) {
  std::vector<std::string> names;
  RETURN_IF_ERROR(
      Read(caller, "listXattrs", [&](rpc::MasterServiceIf& m, const rpc::RequestContext& c) {
        m.listXattrs(names, c, inode);
      }));
  return names;
}

Status MasterClient::RemoveXattr(const Caller& caller, int64_t inode, const std::string& name) {
  return Mutate(caller, "removeXattr", [&](rpc::MasterServiceIf& m, const rpc::RequestContext& c) {
    m.removeXattr(c, inode, name);
  });
}

Result<rpc::SetLockReply> MasterClient::SetLock(const Caller& caller, const rpc::FileLock& lock) {
  rpc::SetLockReply reply;
  // A session mutation: an unlock retried after a failover must not undo a lock taken since.
  RETURN_IF_ERROR(Mutate(caller, "setLock", [&](rpc::MasterServiceIf& m,
                                                const rpc::RequestContext& c) {
    m.setLock(reply, c, lock);
  }));
  return reply;
}

Result<rpc::FileLock> MasterClient::GetLock(const Caller& caller, const rpc::FileLock& lock) {
  rpc::FileLock reply;
  RETURN_IF_ERROR(
      Read(caller, "getLock", [&](rpc::MasterServiceIf& m, const rpc::RequestContext& c) {
        m.getLock(reply, c, lock);
      }));
  return reply;
}

Result<rpc::MountHeartbeatReply> MasterClient::MountHeartbeat(int64_t mount_id) {
  rpc::MountHeartbeatReply reply;
  // Touches only the leader's soft state: no session needed.
  RETURN_IF_ERROR(
      Read(Caller{}, "mountHeartbeat", [&](rpc::MasterServiceIf& m, const rpc::RequestContext& c) {
        m.mountHeartbeat(reply, c, mount_id);
      }));
  return reply;
}

}  // namespace tessera::client
