// The MasterService RPC handler: validates every argument, reads the state machine, proposes
// mutations through the CommandLog and consults the chunk server registry and placement.
//
// This is the RPC edge: Status turns into rpc::TesseraError here (ThrowIfError) and nowhere
// else. Thread-safety: TThreadedServer calls one shared handler from many threads; its own state
// (the write lease table and the version stamper) and everything it borrows are thread-safe.
// append_locks_ serializes the append reservations of one file, across their log entry.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/keyed_mutex.h"
#include "gen-cpp/MasterService.h"
#include "master/chunk_server_registry.h"
#include "master/chunk_version_stamper.h"
#include "master/command_log.h"
#include "master/master_group.h"
#include "master/open_file_table.h"
#include "master/state_machine.h"
#include "master/mount_liveness.h"
#include "master/write_leases.h"

namespace tessera::master {

class Balancer;

struct MasterServiceOptions {
  int32_t default_goal = 3;              // replicas of new files' chunks
  int32_t heartbeat_interval_ms = 1000;  // asked of chunk servers at registration
  std::string advertised_address;        // "host:port" shown in clusterStatus
  // After this master becomes leader, chunk servers need a moment to register with it; until
  // this much time has passed, "no live replica" and "too few servers" are kUnavailable (the
  // client retries) rather than a final error.
  int32_t report_grace_ms = 3000;
  // How long a write lease lasts after its last use (write_leases.h).
  int64_t write_lease_ms = 60000;
  // An unlinked file no mount reported open for this long is freed (open_file_table.h).
  // REQUIRES: >= kMinOpenFileGraceMs (common/open_files.h).
  int64_t open_file_grace_ms = 5000;
  // One version stamp on one chunk server (an fsync of a chunk header).
  int32_t stamp_timeout_ms = 10000;
  // A mount holding file locks that is silent this long loses them (mount_liveness.h).
  int64_t mount_timeout_ms = 10000;
};

class MasterServiceHandler final : public rpc::MasterServiceIf {
 public:
  // Borrows everything; all must outlive the handler. `group` is null for a master that runs
  // without Raft (tests of the handler); its group RPCs then answer kUnavailable.
  MasterServiceHandler(MasterServiceOptions options, CommandLog* log, const StateMachine* state,
                       ChunkServerRegistry* registry, MasterGroup* group, const Clock* clock);

  void lookup(rpc::Attr& reply, const rpc::RequestContext& ctx, int64_t parent,
              const std::string& name) override;
  void getattr(rpc::Attr& reply, const rpc::RequestContext& ctx, int64_t inode) override;
  void setattr(rpc::Attr& reply, const rpc::RequestContext& ctx, int64_t inode,
               const rpc::SetAttrRequest& request) override;
  void mkdir(rpc::Attr& reply, const rpc::RequestContext& ctx, int64_t parent,
             const std::string& name, int32_t mode) override;
  void create(rpc::Attr& reply, const rpc::RequestContext& ctx, int64_t parent,
              const std::string& name, int32_t mode) override;
  void readdir(rpc::ReaddirReply& reply, const rpc::RequestContext& ctx, int64_t inode,
               const std::string& after_name, int32_t max_entries, bool with_attrs) override;
  void unlink(const rpc::RequestContext& ctx, int64_t parent, const std::string& name) override;
  void rmdir(const rpc::RequestContext& ctx, int64_t parent, const std::string& name) override;
  void rename(const rpc::RequestContext& ctx, int64_t old_parent, const std::string& old_name,
              int64_t new_parent, const std::string& new_name, int32_t flags) override;
  void statfs(rpc::StatfsReply& reply, const rpc::RequestContext& ctx) override;
  void setGoal(rpc::Attr& reply, const rpc::RequestContext& ctx, int64_t inode,
               int32_t goal) override;
  void getChunks(std::vector<rpc::ChunkInfo>& reply, const rpc::RequestContext& ctx, int64_t inode,
                 int64_t first_index, int32_t count) override;
  void prepareWrite(rpc::ChunkInfo& reply, const rpc::RequestContext& ctx, int64_t inode,
                    int64_t chunk_index) override;
  void commitWrite(rpc::Attr& reply, const rpc::RequestContext& ctx, int64_t inode,
                   int64_t end_offset, int64_t mtime_ns) override;
  void syncMetadata(const rpc::RequestContext& ctx) override;
  void reportCorruptReplica(const rpc::RequestContext& ctx, int64_t chunk_id,
                            int64_t server_id) override;
  void registerChunkServer(rpc::RegisterReply& reply, const rpc::ChunkServerInfo& info,
                           const std::vector<rpc::ChunkReport>& chunks) override;
  void heartbeat(rpc::HeartbeatReply& reply, int64_t server_id, const rpc::ChunkServerStats& stats,
                 const std::vector<rpc::ChunkReport>& added,
                 const std::vector<int64_t>& removed) override;
  void raftDeliver(const std::vector<rpc::RaftMessage>& messages) override;
  void clusterStatus(rpc::ClusterStatus& reply) override;
  void fsck(rpc::FsckReply& reply, const rpc::RequestContext& ctx,
            const std::string& path) override;
  void addMaster(int64_t id, const std::string& address) override;
  void removeMaster(int64_t id) override;
  void transferLeader(int64_t id) override;
  // Draining (master_service_decommission.cc).
  void startDecommission(const rpc::RequestContext& ctx, int64_t server_id) override;
  void cancelDecommission(const rpc::RequestContext& ctx, int64_t server_id) override;
  // Hard links, symlinks and special files (master_service_links.cc).
  void link(rpc::Attr& reply, const rpc::RequestContext& ctx, int64_t inode, int64_t new_parent,
            const std::string& new_name) override;
  void symlink(rpc::Attr& reply, const rpc::RequestContext& ctx, int64_t parent,
               const std::string& name, const std::string& target) override;
  void mknod(rpc::Attr& reply, const rpc::RequestContext& ctx, int64_t parent,
             const std::string& name, rpc::FileType::type type, int32_t mode) override;
  void access(const rpc::RequestContext& ctx, int64_t inode, int32_t mask) override;
  // Extended attributes (master_service_xattr.cc).
  void setXattr(const rpc::RequestContext& ctx, int64_t inode, const std::string& name,
                const std::string& value, int32_t flags) override;
  void getXattr(std::string& reply, const rpc::RequestContext& ctx, int64_t inode,
                const std::string& name) override;
  void listXattrs(std::vector<std::string>& reply, const rpc::RequestContext& ctx,
                  int64_t inode) override;
  void removeXattr(const rpc::RequestContext& ctx, int64_t inode, const std::string& name) override;
  // O_APPEND reservations (master_service_append.cc).
  void reserveAppend(rpc::Attr& reply, const rpc::RequestContext& ctx, int64_t inode,
                     int64_t length, int64_t mtime_ns) override;
  // atime updates of reads (master_service_atime.cc).
  void touchAtime(rpc::Attr& reply, const rpc::RequestContext& ctx, int64_t inode) override;
  // Open files of the mounts (master_service_open_files.cc).
  void reportOpenFiles(const rpc::RequestContext& ctx, int64_t mount_id,
                       const std::vector<int64_t>& inodes) override;
  // Where one file's chunks are (master_service_file_info.cc).
  void fileInfo(rpc::FileInfoReply& reply, const rpc::RequestContext& ctx,
                const std::string& path) override;
  // What the mounts reported; the UnlinkedInodeReaper frees unlinked inodes by it.
  OpenFileTable& open_files() { return open_files_; }
  // File locks (master_service_locks.cc).
  void setLock(rpc::SetLockReply& reply, const rpc::RequestContext& ctx,
               const rpc::FileLock& lock) override;
  void getLock(rpc::FileLock& reply, const rpc::RequestContext& ctx,
               const rpc::FileLock& lock) override;
  void mountHeartbeat(rpc::MountHeartbeatReply& reply, const rpc::RequestContext& ctx,
                      int64_t mount_id) override;

  // The liveness of mounts holding locks, for the leader's MountExpiry (mount_expiry.h).
  MountLiveness* mount_liveness() { return &mounts_; }
  // Balancing (master_service_balance.cc). The balancer is borrowed; without one (tests of the
  // handler) the balance RPCs answer kUnavailable. REQUIRES: called before the RPC server starts.
  void AttachBalancer(Balancer* balancer) { balancer_ = balancer; }
  void startBalance(const rpc::RequestContext& ctx, double threshold_pct,
                    int64_t bandwidth_bytes_per_sec) override;
  void stopBalance(const rpc::RequestContext& ctx) override;
  void balanceStatus(rpc::BalanceStatus& reply) override;
  // Write leases granted and extended, for the admin port's metrics.
  WriteLeaseCounters lease_counters() const { return leases_.counters(); }

 private:
  // Proposes `command` under the request's session.
  Result<ApplyResult> Mutate(const rpc::RequestContext& ctx, MetaCommand command);
  Result<rpc::ChunkInfo> PrepareWrite(const rpc::RequestContext& ctx, int64_t inode,
                                      int64_t chunk_index);
  Result<rpc::ChunkInfo> ExistingChunk(int64_t chunk_index, const ChunkRecord& chunk) const;
  // The write chain of an existing chunk with live replicas: its lease's, or a new lease's.
  Result<rpc::ChunkInfo> LeasedChain(const rpc::RequestContext& ctx, int64_t inode,
                                     int64_t chunk_index, const ChunkRecord& chunk);
  // Stamps the live replicas with the next version, logs it and records the lease.
  // REQUIRES: leases_.TryBeginGrant(chunk id) returned true.
  Result<rpc::ChunkInfo> GrantLease(const rpc::RequestContext& ctx, int64_t inode,
                                    int64_t chunk_index, const ChunkRecord& seen);
  // The write chain of a chunk just placed on `servers`.
  Result<rpc::ChunkInfo> PlacedChunk(int64_t chunk_index, const ChunkRecord& chunk,
                                     const std::vector<int64_t>& servers) const;
  // Places a chunk that no server holds and that holds no acknowledged byte on new servers,
  // under a new version.
  Result<rpc::ChunkInfo> PlaceUnwrittenChunkAgain(const rpc::RequestContext& ctx,
                                                  const rpc::Attr& attr, int64_t chunk_index,
                                                  const ChunkRecord& chunk);
  // Leader only: the registry is reset when a new tenure began. Returns the tenure.
  Result<LeaderTenure> LeadForChunkServers();
  // True while a new leader still waits for chunk servers to register.
  bool InReportGrace() const;
  Result<MasterGroup*> Group() const;
  // Records through the log that `server_id` is (or is no longer) draining.
  Status SetDraining(const rpc::RequestContext& ctx, int64_t server_id, bool draining);
  // Records through the log a start or end of the operator's balance (set_balance).
  Status SetBalance(const rpc::RequestContext& ctx, master_state::SetBalanceCommand command);

  const MasterServiceOptions options_;
  CommandLog* const log_;
  const StateMachine* const state_;
  ChunkServerRegistry* const registry_;
  MasterGroup* const group_;
  const Clock* const clock_;
  WriteLeaseTable leases_;
  ChunkVersionStamper stamper_;
  // Per inode: held from reading a file's size to applying its append reservation, so that two
  // reservations never read the same end (master_service_append.cc); appends to other files
  // go on meanwhile.
  KeyedMutex append_locks_;
  // Which inodes the mounts hold open (soft state of the leader; thread-safe).
  OpenFileTable open_files_{clock_, options_.open_file_grace_ms};
  // Which mounts hold locks and when they last beat (soft state of the leader; thread-safe).
  MountLiveness mounts_;
  Balancer* balancer_ = nullptr;
};

}  // namespace tessera::master
