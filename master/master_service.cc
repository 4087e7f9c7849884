#include "master/master_service.h"

#include <algorithm>
#include <set>

#include "common/logging.h"
#include "common/address.h"
#include "common/names.h"
#include "common/rpc_errors.h"
#include "master/fsck.h"
#include "master/id_list.h"
#include "master/master_statuses.h"
#include "master/placement.h"
#include "master/raft_messages.h"
#include "master/request_permissions.h"
#include "master/request_validation.h"

namespace tessera::master {

namespace {

template <typename T>
T ValueOrThrow(Result<T> result) {
  ThrowIfError(result.status());
  return std::move(result).value();
}

// ApplyResult.attr is set for every command that creates or changes an inode.
Result<rpc::Attr> AttrOf(Result<ApplyResult> result) {
  if (!result.ok()) return result.status();
  if (!result->attr) return Status::Internal("command produced no attributes");
  return *result->attr;
}


}  // namespace

MasterServiceHandler::MasterServiceHandler(MasterServiceOptions options, CommandLog* log,
                                           const StateMachine* state, ChunkServerRegistry* registry,
                                           MasterGroup* group, const Clock* clock)
    : options_(std::move(options)),
      log_(log),
      state_(state),
      registry_(registry),
      group_(group),
      clock_(clock),
      leases_(clock, options_.write_lease_ms),
      stamper_(registry, options_.stamp_timeout_ms),
      mounts_(clock, options_.mount_timeout_ms) {}

Result<LeaderTenure> MasterServiceHandler::LeadForChunkServers() {
  ASSIGN_OR_RETURN(LeaderTenure tenure, log_->CheckLeader());
  registry_->BeginTenure(tenure.term);
  return tenure;
}

bool MasterServiceHandler::InReportGrace() const {
  Result<LeaderTenure> tenure = log_->CheckLeader();
  if (!tenure.ok() || tenure->since_monotonic_ns == 0) return false;
  return clock_->NowMonotonicNanos() - tenure->since_monotonic_ns <
         int64_t{options_.report_grace_ms} * 1'000'000;
}

Result<MasterGroup*> MasterServiceHandler::Group() const {
  if (group_ == nullptr) return Status::Unavailable("this master runs without a Raft group");
  return group_;
}

Result<ApplyResult> MasterServiceHandler::Mutate(const rpc::RequestContext& ctx,
                                                 MetaCommand command) {
  std::string_view name = CommandName(command);
  // Only a request with a session (both ids set) can be recognised when it is retried.
  RequestOrigin origin;
  if (ctx.client_id > 0 && ctx.sequence > 0) origin = {ctx.client_id, ctx.sequence};
  Result<ApplyResult> result = log_->Propose(origin, std::move(command));
  if (!result.ok()) {
    LOG_REQ(kDebug, "master", ctx.request_id) << name << " refused: " << result.status().ToString();
    return result;
  }
  if (!result->freed_chunk_ids.empty()) {
    // Deleted from the chunk servers by the garbage collection after its grace period
    // (orphan_collector.h), which also survives a failover.
    LOG_REQ(kInfo, "master", ctx.request_id) << name << " freed " << result->freed_chunk_ids.size()
                                             << " chunk(s): " << JoinIds(result->freed_chunk_ids);
  }
  return result;
}

void MasterServiceHandler::lookup(rpc::Attr& reply, const rpc::RequestContext& ctx, int64_t parent,
                                  const std::string& name) {
  ThrowIfError(ValidateContext(ctx));
  ThrowIfError(ValidateInode(parent, "parent"));
  ThrowIfError(ValidateName(name));
  ThrowIfError(log_->ReadBarrier());
  ThrowIfError(CheckInodeAccess(*state_, ctx, parent, kMayExec));
  reply = ValueOrThrow(state_->Lookup(parent, name));
}

void MasterServiceHandler::getattr(rpc::Attr& reply, const rpc::RequestContext& ctx,
                                   int64_t inode) {
  ThrowIfError(ValidateContext(ctx));
  ThrowIfError(ValidateInode(inode));
  ThrowIfError(log_->ReadBarrier());
  reply = ValueOrThrow(state_->GetAttr(inode));
}

void MasterServiceHandler::setattr(rpc::Attr& reply, const rpc::RequestContext& ctx, int64_t inode,
                                   const rpc::SetAttrRequest& request) {
  ThrowIfError(ValidateContext(ctx));
  ThrowIfError(ValidateInode(inode));
  ThrowIfError(ValidateSetAttr(request));
  master_state::SetAttrCommand command;
  command.inode = inode;
  if (request.__isset.mode) command.__set_mode(request.mode);
  if (request.__isset.uid) command.__set_uid(request.uid);
  if (request.__isset.gid) command.__set_gid(request.gid);
  if (request.__isset.size) command.__set_size(request.size);
  if (request.__isset.atime_ns) command.__set_atime_ns(request.atime_ns);
  if (request.__isset.mtime_ns) command.__set_mtime_ns(request.mtime_ns);
  command.atime_now = request.atime_now;
  command.mtime_now = request.mtime_now;
  command.through_writable_handle = request.through_writable_handle;
  command.require_name = request.require_name;
  if (request.through_writable_handle && request.__isset.size) {
    LOG_REQ(kDebug, "master", ctx.request_id)
        << "truncate of inode " << inode << " by uid " << ctx.uid
        << " through a writable descriptor: write permission was judged at its open";
  }
  MetaCommand wrapped;
  command.__set_caller(CallerOf(ctx));
  wrapped.__set_set_attr(command);
  reply = ValueOrThrow(AttrOf(Mutate(ctx, std::move(wrapped))));
}

void MasterServiceHandler::mkdir(rpc::Attr& reply, const rpc::RequestContext& ctx, int64_t parent,
                                 const std::string& name, int32_t mode) {
  ThrowIfError(ValidateContext(ctx));
  ThrowIfError(ValidateInode(parent, "parent"));
  ThrowIfError(ValidateName(name));
  ThrowIfError(ValidateMode(mode));
  master_state::MkdirCommand command;
  command.parent = parent;
  command.name = name;
  command.mode = mode;
  command.uid = ctx.uid;
  command.gid = ctx.gid;
  MetaCommand wrapped;
  command.__set_caller(CallerOf(ctx));
  wrapped.__set_mkdir(command);
  reply = ValueOrThrow(AttrOf(Mutate(ctx, std::move(wrapped))));
}

void MasterServiceHandler::create(rpc::Attr& reply, const rpc::RequestContext& ctx, int64_t parent,
                                  const std::string& name, int32_t mode) {
  ThrowIfError(ValidateContext(ctx));
  ThrowIfError(ValidateInode(parent, "parent"));
  ThrowIfError(ValidateName(name));
  ThrowIfError(ValidateMode(mode));
  master_state::CreateCommand command;
  command.parent = parent;
  command.name = name;
  command.mode = mode;
  command.uid = ctx.uid;
  command.gid = ctx.gid;
  command.goal = options_.default_goal;
  MetaCommand wrapped;
  command.__set_caller(CallerOf(ctx));
  wrapped.__set_create(command);
  reply = ValueOrThrow(AttrOf(Mutate(ctx, std::move(wrapped))));
}

void MasterServiceHandler::readdir(rpc::ReaddirReply& reply, const rpc::RequestContext& ctx,
                                   int64_t inode, const std::string& after_name,
                                   int32_t max_entries, bool with_attrs) {
  ThrowIfError(ValidateContext(ctx));
  ThrowIfError(ValidateInode(inode));
  // An empty after_name starts the listing; any other must be a valid name.
  if (!after_name.empty()) ThrowIfError(ValidateName(after_name));
  if (max_entries < 1 || max_entries > kMaxReaddirEntries) {
    ThrowIfError(
        Status::InvalidArgument("max_entries must be 1.." + std::to_string(kMaxReaddirEntries)));
  }
  ThrowIfError(log_->ReadBarrier());
  ThrowIfError(CheckInodeAccess(*state_, ctx, inode, kMayRead));
  reply = ValueOrThrow(state_->Readdir(inode, after_name, max_entries));
  // Attributes let the kernel skip one lookup per entry; it would then also skip the search
  // permission check of that lookup, so only a caller who may search the directory gets them.
  if (with_attrs && CheckInodeAccess(*state_, ctx, inode, kMayExec).ok()) {
    ThrowIfError(state_->AttachEntryAttrs(reply));
  }
}

void MasterServiceHandler::unlink(const rpc::RequestContext& ctx, int64_t parent,
                                  const std::string& name) {
  ThrowIfError(ValidateContext(ctx));
  ThrowIfError(ValidateInode(parent, "parent"));
  ThrowIfError(ValidateName(name));
  master_state::UnlinkCommand command;
  command.parent = parent;
  command.name = name;
  MetaCommand wrapped;
  command.__set_caller(CallerOf(ctx));
  wrapped.__set_unlink(command);
  ThrowIfError(Mutate(ctx, std::move(wrapped)).status());
}

void MasterServiceHandler::rmdir(const rpc::RequestContext& ctx, int64_t parent,
                                 const std::string& name) {
  ThrowIfError(ValidateContext(ctx));
  ThrowIfError(ValidateInode(parent, "parent"));
  ThrowIfError(ValidateName(name));
  master_state::RmdirCommand command;
  command.parent = parent;
  command.name = name;
  MetaCommand wrapped;
  command.__set_caller(CallerOf(ctx));
  wrapped.__set_rmdir(command);
  ThrowIfError(Mutate(ctx, std::move(wrapped)).status());
}

void MasterServiceHandler::rename(const rpc::RequestContext& ctx, int64_t old_parent,
                                  const std::string& old_name, int64_t new_parent,
                                  const std::string& new_name, int32_t flags) {
  ThrowIfError(ValidateContext(ctx));
  ThrowIfError(ValidateInode(old_parent, "old_parent"));
  ThrowIfError(ValidateInode(new_parent, "new_parent"));
  ThrowIfError(ValidateName(old_name));
  ThrowIfError(ValidateName(new_name));
  ThrowIfError(ValidateRenameFlags(static_cast<uint32_t>(flags)));
  master_state::RenameCommand command;
  command.old_parent = old_parent;
  command.old_name = old_name;
  command.new_parent = new_parent;
  command.new_name = new_name;
  command.flags = flags;
  MetaCommand wrapped;
  command.__set_caller(CallerOf(ctx));
  wrapped.__set_rename(command);
  ThrowIfError(Mutate(ctx, std::move(wrapped)).status());
}

void MasterServiceHandler::setGoal(rpc::Attr& reply, const rpc::RequestContext& ctx,
                                   int64_t inode, int32_t goal) {
  ThrowIfError(ValidateContext(ctx));
  ThrowIfError(ValidateInode(inode));
  master_state::SetGoalCommand command;
  command.inode = inode;
  command.goal = goal;
  MetaCommand wrapped;
  wrapped.__set_set_goal(command);
  reply = ValueOrThrow(AttrOf(Mutate(ctx, std::move(wrapped))));
  LOG_REQ(kInfo, "master", ctx.request_id) << "goal of inode " << inode << " set to " << goal;
}

void MasterServiceHandler::statfs(rpc::StatfsReply& reply, const rpc::RequestContext& ctx) {
  ThrowIfError(ValidateContext(ctx));
  ThrowIfError(log_->ReadBarrier());
  SpaceTotals space = registry_->LiveSpace();
  reply.total_bytes = space.total_bytes;
  reply.free_bytes = space.free_bytes;
  reply.inodes_used = state_->Counters().inode_count;
}

Result<rpc::ChunkInfo> MasterServiceHandler::ExistingChunk(int64_t chunk_index,
                                                           const ChunkRecord& chunk) const {
  rpc::ChunkInfo info;
  info.chunk_index = chunk_index;
  info.chunk_id = chunk.chunk_id;
  info.version = chunk.version;
  info.replicas = registry_->LiveReplicas(chunk.chunk_id, chunk.version);
  if (info.replicas.empty() && InReportGrace()) {
    return Status::Unavailable("chunk " + std::to_string(chunk.chunk_id) +
                               ": a new master leader is waiting for chunk servers to report");
  }
  if (info.replicas.empty() && registry_->IsFenced(chunk.chunk_id)) {
    return Status::Unavailable("chunk " + std::to_string(chunk.chunk_id) +
                               " is taking a new version for re-replication");
  }
  return info;
}

void MasterServiceHandler::getChunks(std::vector<rpc::ChunkInfo>& reply,
                                     const rpc::RequestContext& ctx, int64_t inode,
                                     int64_t first_index, int32_t count) {
  ThrowIfError(ValidateContext(ctx));
  ThrowIfError(ValidateInode(inode));
  ThrowIfError(ValidateChunkIndex(first_index));
  if (count < 1 || count > kMaxChunksPerCall) {
    ThrowIfError(Status::InvalidArgument("count must be 1.." + std::to_string(kMaxChunksPerCall)));
  }
  ThrowIfError(log_->ReadBarrier());
  auto chunks = ValueOrThrow(state_->GetChunks(inode, first_index, count));
  reply.clear();
  for (const ChunkAtIndex& chunk : chunks) {
    reply.push_back(ValueOrThrow(ExistingChunk(chunk.chunk_index, chunk.chunk)));
  }
}

Result<rpc::ChunkInfo> MasterServiceHandler::PrepareWrite(const rpc::RequestContext& ctx,
                                                          int64_t inode, int64_t chunk_index) {
  ASSIGN_OR_RETURN(rpc::Attr attr, state_->GetAttr(inode));
  if (attr.type == rpc::FileType::DIRECTORY) {
    return Status::IsDirectory("inode " + std::to_string(inode) + " is a directory");
  }
  if (attr.type != rpc::FileType::REGULAR) {
    return Status::InvalidArgument("inode " + std::to_string(inode) + " is not a regular file");
  }
  Result<ChunkAtIndex> existing = state_->GetChunk(inode, chunk_index);
  if (existing.ok()) {
    if (registry_->IsFenced(existing->chunk.chunk_id)) {
      // Being re-replicated: a write now would miss the new copy (replication_manager.h).
      return Status::Unavailable("chunk " + std::to_string(existing->chunk.chunk_id) +
                                 " is being re-replicated; its writes wait");
    }
    ASSIGN_OR_RETURN(rpc::ChunkInfo info, ExistingChunk(chunk_index, existing->chunk));
    if (!info.replicas.empty()) return LeasedChain(ctx, inode, chunk_index, existing->chunk);
    // No server holds the chunk. When the file ends before it, it holds no acknowledged byte:
    // it was allocated but never written, and where it was placed (soft state) was lost, e.g.
    // with the leader that placed it. Chunk servers create a chunk file on its first write, so
    // none will ever report it; it is placed anew.
    if (attr.size <= chunk_index * kChunkSize) {
      return PlaceUnwrittenChunkAgain(ctx, attr, chunk_index, existing->chunk);
    }
    return Status::Unavailable("no live replica of chunk " + std::to_string(info.chunk_id));
  }
  if (existing.status().code() != StatusCode::kNotFound) return existing.status();

  Result<std::vector<int64_t>> chosen =
      ChooseChunkServers(registry_->LivePlacementCandidates(), attr.goal);
  if (!chosen.ok() && InReportGrace()) {
    return Status::Unavailable("a new master leader is waiting for chunk servers to register");
  }
  ASSIGN_OR_RETURN(std::vector<int64_t> servers, std::move(chosen));
  master_state::AllocateChunkCommand command;
  command.inode = inode;
  command.chunk_index = chunk_index;
  MetaCommand wrapped;
  wrapped.__set_allocate_chunk(command);
  ASSIGN_OR_RETURN(ApplyResult applied, Mutate(ctx, std::move(wrapped)));
  if (!applied.chunk) return Status::Internal("allocate_chunk produced no chunk");
  if (!applied.chunk_created) {
    // Another writer allocated it first; its replicas are the chain.
    ASSIGN_OR_RETURN(rpc::ChunkInfo info, ExistingChunk(chunk_index, *applied.chunk));
    if (info.replicas.empty()) {
      return Status::Unavailable("no live replica of chunk " + std::to_string(info.chunk_id));
    }
    return info;
  }
  registry_->RecordReplicas(applied.chunk->chunk_id, applied.chunk->version, servers);
  leases_.Grant(applied.chunk->chunk_id, applied.chunk->version, servers);
  LOG_REQ(kInfo, "master", ctx.request_id)
      << "chunk " << applied.chunk->chunk_id << " (inode " << inode << " index " << chunk_index
      << ", goal " << attr.goal << ") placed on servers " << JoinIds(servers);
  return PlacedChunk(chunk_index, *applied.chunk, servers);
}

Result<rpc::ChunkInfo> MasterServiceHandler::PlacedChunk(
    int64_t chunk_index, const ChunkRecord& chunk, const std::vector<int64_t>& servers) const {
  rpc::ChunkInfo info;
  info.chunk_index = chunk_index;
  info.chunk_id = chunk.chunk_id;
  info.version = chunk.version;
  info.replicas = registry_->LiveAddresses(servers);
  if (info.replicas.empty()) {
    return Status::Unavailable("every chosen chunk server died during placement");
  }
  return info;
}

Result<rpc::ChunkInfo> MasterServiceHandler::PlaceUnwrittenChunkAgain(
    const rpc::RequestContext& ctx, const rpc::Attr& attr, int64_t chunk_index,
    const ChunkRecord& chunk) {
  ASSIGN_OR_RETURN(std::vector<int64_t> servers,
                   ChooseChunkServers(registry_->LivePlacementCandidates(), attr.goal));
  // A new version first: should a server with an old copy of this chunk come back, its copy
  // is stale and never served.
  master_state::BumpChunkVersionCommand command;
  command.inode = attr.inode;
  command.chunk_index = chunk_index;
  command.chunk_id = chunk.chunk_id;
  command.from_version = chunk.version;
  command.to_version = chunk.version + 1;
  MetaCommand wrapped;
  wrapped.__set_bump_chunk_version(command);
  Result<ApplyResult> bumped = Mutate(ctx, std::move(wrapped));
  if (!bumped.ok()) {
    // Another writer placed it first (kStaleVersion); its chain is the one to use.
    if (bumped.status().code() != StatusCode::kStaleVersion) return bumped.status();
    ASSIGN_OR_RETURN(ChunkAtIndex current, state_->GetChunk(attr.inode, chunk_index));
    ASSIGN_OR_RETURN(rpc::ChunkInfo info, ExistingChunk(chunk_index, current.chunk));
    if (info.replicas.empty()) {
      return Status::Unavailable("chunk " + std::to_string(chunk.chunk_id) + " is being placed");
    }
    return info;
  }
  if (!bumped->chunk) return Status::Internal("bump_chunk_version produced no chunk");
  registry_->RecordReplicas(bumped->chunk->chunk_id, bumped->chunk->version, servers);
  leases_.Grant(bumped->chunk->chunk_id, bumped->chunk->version, servers);
  LOG_REQ(kInfo, "master", ctx.request_id)
      << "chunk " << chunk.chunk_id << " (inode " << attr.inode << " index " << chunk_index
      << ") had no replica and no written byte: placed again as version "
      << bumped->chunk->version << " on servers " << JoinIds(servers);
  return PlacedChunk(chunk_index, *bumped->chunk, servers);
}

Result<rpc::ChunkInfo> MasterServiceHandler::LeasedChain(const rpc::RequestContext& ctx,
                                                         int64_t inode, int64_t chunk_index,
                                                         const ChunkRecord& chunk) {
  const int64_t chunk_id = chunk.chunk_id;
  if (std::optional<WriteLease> lease = leases_.Renew(chunk_id, chunk.version)) {
    // Valid only while every member still holds the chunk at the lease's version and has
    // room: one that died, lost its copy or filled up would fail every write, and the others
    // must move on without it under a new version; one stamped with a newer version (by a
    // deposed leader that had not noticed yet) would refuse every write at this one.
    if (std::ranges::all_of(lease->chain, [&](int64_t server_id) {
          return registry_->Holds(server_id, chunk_id, chunk.version) &&
                 registry_->HasRoom(server_id);
        })) {
      return PlacedChunk(chunk_index, chunk, lease->chain);
    }
    leases_.Revoke(chunk_id);
  }
  if (!leases_.TryBeginGrant(chunk_id)) {
    return Status::Unavailable("a write lease for chunk " + std::to_string(chunk_id) +
                               " is being granted");
  }
  Result<rpc::ChunkInfo> granted = GrantLease(ctx, inode, chunk_index, chunk);
  leases_.EndGrant(chunk_id);
  return granted;
}

Result<rpc::ChunkInfo> MasterServiceHandler::GrantLease(const rpc::RequestContext& ctx,
                                                        int64_t inode, int64_t chunk_index,
                                                        const ChunkRecord& seen) {
  // Read again under the grant: another grant may have finished since `seen` was read.
  ASSIGN_OR_RETURN(ChunkAtIndex current, state_->GetChunk(inode, chunk_index));
  const ChunkRecord& chunk = current.chunk;
  if (chunk.chunk_id != seen.chunk_id) {
    return Status::Unavailable("chunk " + std::to_string(chunk_index) + " of inode " +
                               std::to_string(inode) + " was replaced meanwhile");
  }
  if (std::optional<WriteLease> lease = leases_.Renew(chunk.chunk_id, chunk.version)) {
    return PlacedChunk(chunk_index, chunk, lease->chain);
  }
  // Above every version a live copy holds: a copy may be ahead of the record after a stamp
  // whose log entry never committed (chunk_version_stamper.h).
  // A current copy on a full server is left out: the chunk could not grow there. It turns
  // stale with the new version, and re-replication makes a copy where there is room.
  std::vector<int64_t> holders;
  int64_t newest = chunk.version;
  bool some_full = false;
  for (const ReplicaState& copy : registry_->Replicas(chunk.chunk_id)) {
    if (!copy.alive || copy.version < chunk.version) continue;
    newest = std::max(newest, copy.version);
    if (registry_->HasRoom(copy.server_id)) {
      holders.push_back(copy.server_id);
    } else {
      some_full = true;
    }
  }
  if (holders.empty() && some_full) {
    return Status::NoSpace("every replica of chunk " + std::to_string(chunk.chunk_id) +
                           " is on a full chunk server");
  }
  const int64_t version = newest + 1;
  std::vector<int64_t> chain = stamper_.Stamp(chunk.chunk_id, version, holders, "lease");
  if (chain.empty()) {
    return Status::Unavailable("no replica of chunk " + std::to_string(chunk.chunk_id) +
                               " took version " + std::to_string(version));
  }
  master_state::BumpChunkVersionCommand command;
  command.inode = inode;
  command.chunk_index = chunk_index;
  command.chunk_id = chunk.chunk_id;
  command.from_version = chunk.version;
  command.to_version = version;
  MetaCommand wrapped;
  wrapped.__set_bump_chunk_version(command);
  // Not under the client's session: a retry must find the chunk's state as it is then, not
  // this answer again.
  Result<ApplyResult> bumped = log_->Propose(std::move(wrapped));
  if (!bumped.ok()) {
    if (bumped.status().code() == StatusCode::kStaleVersion) {
      return Status::Unavailable("chunk " + std::to_string(chunk.chunk_id) +
                                 " took another version meanwhile");
    }
    return bumped.status();
  }
  leases_.Grant(chunk.chunk_id, version, chain);
  LOG_REQ(kInfo, "master", ctx.request_id)
      << "write lease on chunk " << chunk.chunk_id << " (inode " << inode << " index "
      << chunk_index << ") at version " << version << ", primary " << chain.front()
      << ", chain " << JoinIds(chain);
  ChunkRecord leased = chunk;
  leased.version = version;
  return PlacedChunk(chunk_index, leased, chain);
}

void MasterServiceHandler::prepareWrite(rpc::ChunkInfo& reply, const rpc::RequestContext& ctx,
                                        int64_t inode, int64_t chunk_index) {
  ThrowIfError(ValidateContext(ctx));
  ThrowIfError(ValidateInode(inode));
  ThrowIfError(ValidateChunkIndex(chunk_index));
  ThrowIfError(log_->ReadBarrier());
  reply = ValueOrThrow(PrepareWrite(ctx, inode, chunk_index));
}

void MasterServiceHandler::commitWrite(rpc::Attr& reply, const rpc::RequestContext& ctx,
                                       int64_t inode, int64_t end_offset, int64_t mtime_ns) {
  ThrowIfError(ValidateContext(ctx));
  ThrowIfError(ValidateInode(inode));
  if (end_offset < 0 || end_offset > kMaxFileSize) {
    ThrowIfError(Status::InvalidArgument("end_offset out of range: " + std::to_string(end_offset)));
  }
  if (mtime_ns < 0) ThrowIfError(Status::InvalidArgument("mtime_ns must be >= 0"));
  master_state::CommitWriteCommand command;
  command.inode = inode;
  command.end_offset = end_offset;
  command.mtime_ns = mtime_ns;
  MetaCommand wrapped;
  command.__set_caller(CallerOf(ctx));
  wrapped.__set_commit_write(command);
  reply = ValueOrThrow(AttrOf(Mutate(ctx, std::move(wrapped))));
}

void MasterServiceHandler::syncMetadata(const rpc::RequestContext& ctx) {
  ThrowIfError(ValidateContext(ctx));
  Status synced = log_->SyncApplied();
  if (!synced.ok()) {
    LOG_REQ(kError, "master", ctx.request_id) << "metadata sync failed: " << synced.ToString();
  }
  ThrowIfError(synced);
}

void MasterServiceHandler::reportCorruptReplica(const rpc::RequestContext& ctx, int64_t chunk_id,
                                                int64_t server_id) {
  ThrowIfError(ValidateContext(ctx));
  if (chunk_id <= 0 || server_id <= 0) {
    ThrowIfError(Status::InvalidArgument("chunk_id and server_id must be > 0"));
  }
  ThrowIfError(LeadForChunkServers().status());
  // The report comes from a client: never let it take away the last copy that looks good.
  std::vector<ReplicaState> copies = registry_->Replicas(chunk_id);
  auto reported = std::find_if(copies.begin(), copies.end(),
                               [&](const ReplicaState& copy) { return copy.server_id == server_id; });
  if (reported == copies.end()) return;  // already dropped, or never known
  const auto others_alive = std::count_if(copies.begin(), copies.end(), [&](const auto& copy) {
    return copy.alive && copy.server_id != server_id && copy.version >= reported->version;
  });
  if (others_alive == 0) {
    LOG_REQ(kWarning, "master", ctx.request_id)
        << "client reports a corrupt replica of chunk " << chunk_id << " on server " << server_id
        << ", but it is the last live one: kept";
    return;
  }
  registry_->DeleteReplica(server_id, chunk_id);
  LOG_REQ(kWarning, "master", ctx.request_id)
      << "client reports a corrupt replica of chunk " << chunk_id << " on server " << server_id
      << ": dropped; a new copy will be made from a good one";
}

void MasterServiceHandler::registerChunkServer(rpc::RegisterReply& reply,
                                               const rpc::ChunkServerInfo& info,
                                               const std::vector<rpc::ChunkReport>& chunks) {
  ThrowIfError(ValidateChunkServerInfo(info));
  ThrowIfError(ValidateChunkReports(chunks));
  ThrowIfError(LeadForChunkServers().status());
  registry_->Register(info, chunks);
  reply.heartbeat_interval_ms = options_.heartbeat_interval_ms;
}

void MasterServiceHandler::heartbeat(rpc::HeartbeatReply& reply, int64_t server_id,
                                     const rpc::ChunkServerStats& stats,
                                     const std::vector<rpc::ChunkReport>& added,
                                     const std::vector<int64_t>& removed) {
  if (server_id <= 0) ThrowIfError(Status::InvalidArgument("server_id must be > 0"));
  ThrowIfError(ValidateChunkServerStats(stats));
  ThrowIfError(ValidateChunkReports(added));
  ThrowIfError(ValidateChunkIds(removed));
  ThrowIfError(LeadForChunkServers().status());
  reply = registry_->Heartbeat(server_id, stats, added, removed);
}

void MasterServiceHandler::raftDeliver(const std::vector<rpc::RaftMessage>& messages) {
  // One-way: nothing to answer. A malformed message is dropped alone; Raft copes with loss.
  Result<MasterGroup*> group = Group();
  if (!group.ok()) return;
  std::vector<raft::Message> delivered;
  std::map<raft::NodeId, HostPort> sender_addresses;
  delivered.reserve(messages.size());
  for (const rpc::RaftMessage& wire : messages) {
    Result<raft::Message> message = FromRpc(wire);
    if (!message.ok()) {
      LOG(kWarning, "raft") << "dropped a malformed message from master " << wire.from_id << ": "
                            << message.status().ToString();
      continue;
    }
    if (!wire.from_address.empty()) {
      if (Result<HostPort> from = ParseHostPort(wire.from_address); from.ok()) {
        sender_addresses[message->from] = *from;
      }
    }
    delivered.push_back(std::move(*message));
  }
  (*group)->Deliver(std::move(delivered), std::move(sender_addresses));
}

void MasterServiceHandler::clusterStatus(rpc::ClusterStatus& reply) {
  // Linearizable, like every read: a new leader may not have applied what its predecessor
  // committed yet (a decommission, say), and must not report the state from before it.
  ThrowIfError(log_->ReadBarrier());
  // A registry left from an earlier tenure of this master must not pass for the current one.
  LeaderTenure tenure = ValueOrThrow(LeadForChunkServers());
  registry_->RefreshDraining();
  MetaCounters counters = state_->Counters();
  reply.masters.clear();
  if (group_ == nullptr) {
    rpc::MasterStatus self;
    self.address = options_.advertised_address;
    self.role = "leader";
    self.term = tenure.term;
    self.applied_index = counters.applied_index;
    reply.masters.push_back(std::move(self));
  } else {
    reply.masters = MasterStatuses(group_->View());
  }
  reply.chunk_servers = registry_->Statuses();
  const std::set<int64_t> draining = registry_->DrainingServers();
  reply.__set_draining_server_ids({draining.begin(), draining.end()});
  reply.inode_count = counters.inode_count;
  reply.chunk_count = counters.chunk_count;
}

void MasterServiceHandler::fsck(rpc::FsckReply& reply, const rpc::RequestContext& ctx,
                                const std::string& path) {
  ThrowIfError(ValidateContext(ctx));
  ThrowIfError(LeadForChunkServers().status());
  ThrowIfError(log_->ReadBarrier());
  reply = ValueOrThrow(RunFsck(*state_, *registry_, path));
  LOG_REQ(kInfo, "master", ctx.request_id)
      << "fsck " << path << ": " << reply.files << " files, " << reply.chunks << " chunks, "
      << reply.chunks_under_goal << " under goal, " << reply.chunks_missing << " missing";
}

void MasterServiceHandler::addMaster(int64_t id, const std::string& address) {
  if (id <= 0) ThrowIfError(Status::InvalidArgument("master id must be > 0"));
  Result<HostPort> parsed = ParseHostPort(address);
  if (!parsed.ok()) ThrowIfError(Status::InvalidArgument("master address: " + parsed.status().message()));
  MasterGroup* group = ValueOrThrow(Group());
  Status added = group->AddMaster(raft::Member{static_cast<raft::NodeId>(id), parsed->ToString()});
  LOG(kInfo, "raft") << "operator asked to add master " << id << " at " << address << ": "
                     << added.ToString();
  ThrowIfError(added);
}

void MasterServiceHandler::removeMaster(int64_t id) {
  if (id <= 0) ThrowIfError(Status::InvalidArgument("master id must be > 0"));
  MasterGroup* group = ValueOrThrow(Group());
  Status removed = group->RemoveMaster(static_cast<raft::NodeId>(id));
  LOG(kInfo, "raft") << "operator asked to remove master " << id << ": " << removed.ToString();
  ThrowIfError(removed);
}

void MasterServiceHandler::transferLeader(int64_t id) {
  if (id < 0) ThrowIfError(Status::InvalidArgument("master id must be >= 0 (0: any)"));
  MasterGroup* group = ValueOrThrow(Group());
  Status transferred = group->TransferLeadership(static_cast<raft::NodeId>(id));
  LOG(kInfo, "raft") << "operator asked to hand the leadership to "
                     << (id == 0 ? std::string("the best master") : "master " + std::to_string(id))
                     << ": " << transferred.ToString();
  ThrowIfError(transferred);
}

void MasterServiceHandler::access(rpc::Attr& reply, const rpc::RequestContext& ctx, int64_t inode,
                                  int32_t mask) {
  ThrowIfError(ValidateContext(ctx));
  ThrowIfError(ValidateInode(inode));
  if ((mask & ~(kMayRead | kMayWrite | kMayExec)) != 0) {
    ThrowIfError(Status::InvalidArgument("access mask " + std::to_string(mask) +
                                         " has bits outside R_OK|W_OK|X_OK"));
  }
  ThrowIfError(log_->ReadBarrier());
  Status allowed = CheckInodeAccess(*state_, ctx, inode, mask);
  LOG_REQ(kDebug, "master", ctx.request_id)
      << "access(inode " << inode << ", mask " << mask << ") by uid " << ctx.uid << ": "
      << allowed.ToString();
  ThrowIfError(allowed);
  reply = ValueOrThrow(state_->GetAttr(inode));
}

}  // namespace tessera::master
