#include "master/state_machine.h"

#include "common/logging.h"
#include "common/names.h"
#include "master/client_sessions.h"
#include "master/ops/ops.h"

namespace tessera::master {

StateMachine::StateMachine(std::shared_ptr<MetaStore> store) : store_(std::move(store)) {}

Result<std::unique_ptr<StateMachine>> StateMachine::Open(const std::string& dir,
                                                         MetaStore::Options options) {
  ASSIGN_OR_RETURN(std::unique_ptr<MetaStore> store, MetaStore::Open(dir, options));
  auto machine = std::make_unique<StateMachine>(std::move(store));
  RETURN_IF_ERROR(machine->LoadCounters());
  return machine;
}

std::shared_ptr<MetaStore> StateMachine::CurrentStore() const {
  std::lock_guard lock(store_mu_);
  return store_;
}

Status StateMachine::ReplaceStore(std::shared_ptr<MetaStore> store) {
  std::lock_guard lock(apply_mu_);
  ASSIGN_OR_RETURN(MetaCounters counters, store->ReadCounters());
  {
    std::lock_guard store_lock(store_mu_);
    store_ = std::move(store);
  }
  std::lock_guard counters_lock(counters_mu_);
  counters_ = counters;
  LOG(kInfo, "master") << "namespace database replaced, applied index now "
                       << counters.applied_index;
  return Status::Ok();
}

Status StateMachine::LoadCounters() {
  ASSIGN_OR_RETURN(MetaCounters counters, CurrentStore()->ReadCounters());
  std::lock_guard lock(counters_mu_);
  counters_ = counters;
  return Status::Ok();
}

MetaCounters StateMachine::Counters() const {
  std::lock_guard lock(counters_mu_);
  return counters_;
}

Result<ApplyResult> StateMachine::Dispatch(OpContext& op, const MetaCommand& command) {
  if (CountCommandMembers(command) != 1) {
    return Status::InvalidArgument("a command must have exactly one member");
  }
  const auto& set = command.__isset;
  if (set.init_root) return ApplyInitRoot(op, command.init_root);
  if (set.mkdir) return ApplyMkdir(op, command.mkdir);
  if (set.create) return ApplyCreate(op, command.create);
  if (set.unlink) return ApplyUnlink(op, command.unlink);
  if (set.rmdir) return ApplyRmdir(op, command.rmdir);
  if (set.rename) return ApplyRename(op, command.rename);
  if (set.set_attr) return ApplySetAttr(op, command.set_attr);
  if (set.allocate_chunk) return ApplyAllocateChunk(op, command.allocate_chunk);
  if (set.bump_chunk_version) return ApplyBumpChunkVersion(op, command.bump_chunk_version);
  if (set.set_goal) return ApplySetGoal(op, command.set_goal);
  if (set.set_server_draining) return ApplySetServerDraining(op, command.set_server_draining);
  if (set.mknod) return ApplyMknod(op, command.mknod);
  if (set.link) return ApplyLink(op, command.link);
  if (set.set_xattr) return ApplySetXattr(op, command.set_xattr);
  if (set.remove_xattr) return ApplyRemoveXattr(op, command.remove_xattr);
  if (set.touch_atime) return ApplyTouchAtime(op, command.touch_atime);
  if (set.free_unlinked_inode) return ApplyFreeUnlinkedInode(op, command.free_unlinked_inode);
  if (set.set_lock) return ApplySetLock(op, command.set_lock);
  if (set.expire_mount) return ApplyExpireMount(op, command.expire_mount);
  if (set.set_balance) return ApplySetBalance(op, command.set_balance);
  return ApplyCommitWrite(op, command.commit_write);
}

Status StateMachine::Sync() { return CurrentStore()->Sync(); }

Result<ApplyResult> StateMachine::Apply(int64_t index, const MetaCommand& command) {
  LogCommand entry;
  entry.command = command;
  return Apply(index, entry);
}

Result<ApplyResult> StateMachine::Apply(int64_t index, const LogCommand& entry) {
  std::lock_guard lock(apply_mu_);
  return ApplyLocked(index, entry);
}

Status StateMachine::ApplyNoEffect(int64_t index) {
  std::lock_guard lock(apply_mu_);
  MetaCounters before = Counters();
  if (index <= before.applied_index) return Status::Ok();
  std::shared_ptr<MetaStore> store = CurrentStore();
  OpContext op(*store, before);
  return Commit(index, "no-op", *store, op);
}

Result<ApplyResult> StateMachine::ApplyLocked(int64_t index, const LogCommand& entry) {
  MetaCounters before = Counters();
  if (index <= before.applied_index) {
    LOG(kDebug, "master") << "entry " << index << " already applied (applied index "
                          << before.applied_index << "), skipped";
    ApplyResult skipped;
    skipped.already_applied = true;
    return skipped;
  }
  const MetaCommand& command = entry.command;
  const bool has_session = entry.client_id > 0;
  std::shared_ptr<MetaStore> store = CurrentStore();
  OpContext op(*store, before);
  Result<ApplyResult> result = Status::Internal("not applied");
  std::optional<Result<ApplyResult>> decided;
  if (has_session) {
    ASSIGN_OR_RETURN(decided, FindDecidedRequest(*store, entry.client_id, entry.sequence));
  }
  if (decided) {
    // A retry of a request this state machine already applied: the first reply, no effect.
    LOG(kInfo, "master") << "entry " << index << " (" << CommandName(command) << ") repeats request "
                         << entry.sequence << " of client " << entry.client_id
                         << ": answered with the first reply";
    result = std::move(*decided);
  } else {
    result = Dispatch(op, command);
    if (!result.ok()) op.DiscardChanges(before);
    if (has_session) RecordReply(op.batch(), entry.client_id, entry.sequence, result);
  }
  RETURN_IF_ERROR(Commit(index, CommandName(command), *store, op));
  if (!result.ok()) {
    LOG(kDebug, "master") << "entry " << index << " (" << CommandName(command)
                          << ") refused: " << result.status().ToString();
  }
  return result;
}

Status StateMachine::Commit(int64_t index, std::string_view what, MetaStore& store,
                            OpContext& op) {
  op.FinishBatch(index);
  Status written = store.Write(op.batch());
  if (!written.ok()) {
    LOG(kError, "master") << "entry " << index << " (" << what
                          << ") not applied: " << written.ToString();
    return written;
  }
  std::lock_guard counters_lock(counters_mu_);
  counters_ = op.counters();
  return Status::Ok();
}

Status StateMachine::ForEachChunkOfFile(
    const std::function<void(const ChunkOfFile&)>& visit) const {
  std::shared_ptr<MetaStore> store = CurrentStore();
  // Chunk keys sort by inode, so one inode lookup serves all chunks of a file.
  int64_t goal_of = 0;
  int32_t goal = 0;
  Status failed;
  RETURN_IF_ERROR(store->ForEachChunk(
      [&](int64_t inode, int64_t chunk_index, const ChunkRecord& chunk) {
        if (!failed.ok()) return;
        if (inode != goal_of) {
          Result<std::optional<InodeRecord>> record = store->GetInode(inode);
          if (!record.ok()) {
            failed = record.status();
            return;
          }
          goal_of = inode;
          goal = *record ? (*record)->goal : 0;  // an orphan chunk record: nothing wants it
        }
        visit(ChunkOfFile{inode, chunk_index, chunk, goal});
      }));
  return failed;
}

Result<std::set<int64_t>> StateMachine::DrainingServerIds() const {
  ASSIGN_OR_RETURN(std::vector<DrainingServerRecord> records,
                   CurrentStore()->ListDrainingServers());
  std::set<int64_t> ids;
  for (const DrainingServerRecord& record : records) ids.insert(record.server_id);
  return ids;
}

Result<std::optional<BalanceRecord>> StateMachine::BalanceWish() const {
  return CurrentStore()->GetBalance();
}

Result<rpc::Attr> StateMachine::GetAttr(int64_t inode) const {
  ASSIGN_OR_RETURN(auto record, CurrentStore()->GetInode(inode));
  if (!record) return Status::NotFound("no inode " + std::to_string(inode));
  return ToAttr(*record);
}

Result<rpc::Attr> StateMachine::Lookup(int64_t parent, std::string_view name) const {
  std::shared_ptr<MetaStore> store = CurrentStore();
  ASSIGN_OR_RETURN(auto dir, store->GetInode(parent));
  if (!dir) return Status::NotFound("no inode " + std::to_string(parent));
  if (dir->type != rpc::FileType::DIRECTORY) {
    return Status::NotDirectory("inode " + std::to_string(parent) + " is not a directory");
  }
  ASSIGN_OR_RETURN(auto dentry, store->GetDentry(parent, name));
  if (!dentry) return Status::NotFound("no entry '" + std::string(name) + "'");
  ASSIGN_OR_RETURN(auto record, store->GetInode(dentry->inode));
  // The dentry and the inode are written in one batch, but a read may fall between two batches.
  if (!record) return Status::NotFound("entry '" + std::string(name) + "' was just removed");
  return ToAttr(*record);
}

Result<rpc::ReaddirReply> StateMachine::Readdir(int64_t inode, std::string_view after_name,
                                                int max_entries) const {
  std::shared_ptr<MetaStore> store = CurrentStore();
  if (max_entries < 1 || max_entries > kMaxReaddirEntries) {
    return Status::InvalidArgument("max_entries must be in 1.." +
                                   std::to_string(kMaxReaddirEntries));
  }
  ASSIGN_OR_RETURN(auto dir, store->GetInode(inode));
  if (!dir) return Status::NotFound("no inode " + std::to_string(inode));
  if (dir->type != rpc::FileType::DIRECTORY) {
    return Status::NotDirectory("inode " + std::to_string(inode) + " is not a directory");
  }
  bool eof = true;
  ASSIGN_OR_RETURN(auto entries, store->ListDentries(inode, after_name, max_entries, &eof));
  rpc::ReaddirReply reply;
  reply.eof = eof;
  reply.entries.reserve(entries.size());
  for (NamedDentry& entry : entries) {
    rpc::DirEntry out;
    out.name = std::move(entry.name);
    out.inode = entry.dentry.inode;
    out.type = static_cast<rpc::FileType::type>(entry.dentry.type);
    reply.entries.push_back(std::move(out));
  }
  return reply;
}

Status StateMachine::AttachEntryAttrs(rpc::ReaddirReply& listing) const {
  std::shared_ptr<MetaStore> store = CurrentStore();
  for (rpc::DirEntry& entry : listing.entries) {
    ASSIGN_OR_RETURN(auto record, store->GetInode(entry.inode));
    if (record) entry.__set_attr(ToAttr(*record));
  }
  return Status::Ok();
}

Result<std::vector<ChunkAtIndex>> StateMachine::GetChunks(int64_t inode, int64_t first_index,
                                                          int64_t count) const {
  std::shared_ptr<MetaStore> store = CurrentStore();
  ASSIGN_OR_RETURN(auto record, store->GetInode(inode));
  if (!record) return Status::NotFound("no inode " + std::to_string(inode));
  if (record->type == rpc::FileType::DIRECTORY) {
    return Status::IsDirectory("inode " + std::to_string(inode) + " is a directory");
  }
  ASSIGN_OR_RETURN(auto chunks, store->ListChunks(inode, first_index, first_index + count));
  std::vector<ChunkAtIndex> out;
  out.reserve(chunks.size());
  for (IndexedChunk& chunk : chunks) out.push_back({chunk.chunk_index, std::move(chunk.chunk)});
  return out;
}

Result<ChunkAtIndex> StateMachine::GetChunk(int64_t inode, int64_t chunk_index) const {
  ASSIGN_OR_RETURN(auto chunk, CurrentStore()->GetChunk(inode, chunk_index));
  if (!chunk) {
    return Status::NotFound("inode " + std::to_string(inode) + " has no chunk " +
                            std::to_string(chunk_index));
  }
  return ChunkAtIndex{chunk_index, *std::move(chunk)};
}

}  // namespace tessera::master
