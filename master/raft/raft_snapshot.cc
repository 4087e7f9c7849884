// Snapshots (thesis 5): compaction of the log once the state machine has made the applied state
// durable, InstallSnapshot for a follower whose next entry was compacted away, and recovery of a
// restore that a crash interrupted.
//
// Crash points, in order, and why each is safe:
// - Compaction: MakeDurable, then storage CompactThrough. A crash before CompactThrough leaves
//   a longer log than needed; CompactThrough is atomic.
// - Install: sink Writes (lost on a crash; the leader starts over), sink Commit (state, applied
//   index and RestoredFrom change atomically), then storage CompactThrough/ResetToSnapshot. A
//   crash between Commit and the storage call is finished by Start (RecoverInterruptedRestore).
#include <utility>

#include "common/logging.h"
#include "master/raft/raft_core.h"

namespace tessera::raft {
namespace {
constexpr char kLog[] = "raft";
}  // namespace

void RaftCore::StartSnapshot(NodeId peer, Progress& progress) {
  Result<std::unique_ptr<SnapshotReader>> reader = state_machine_->OpenSnapshot();
  if (!Check(reader.status())) return;
  LogIndex index = (*reader)->Index();
  std::optional<Term> index_term = log_.TermAt(index);
  if (!index_term || index > applied_index_) {
    Check(Status::Internal("state machine snapshot at index " + std::to_string(index) +
                           " is outside the applied log"));
    return;
  }
  progress.mode = ProgressMode::kSnapshot;
  progress.inflight.clear();
  progress.probe_sent = false;
  progress.snapshot_reader = std::move(reader).value();
  progress.snapshot_meta =
      SnapshotMeta{.index = index, .term = *index_term, .membership = log_.MembershipAt(index)};
  progress.snapshot_offset = 0;
  LOG(kInfo, kLog) << "node " << self_ << " sends a snapshot through index " << index << " to node "
                   << peer;
  SendSnapshotChunk(peer, progress);
}

void RaftCore::SendSnapshotChunk(NodeId peer, Progress& progress) {
  if (!Running() || progress.snapshot_reader == nullptr) return;
  Result<SnapshotChunk> chunk =
      progress.snapshot_reader->Read(progress.snapshot_offset, config_.snapshot_chunk_bytes);
  if (!Check(chunk.status())) return;
  Message message;
  message.type = MessageType::kInstallSnapshot;
  message.to = peer;
  message.term = term();
  message.snapshot = progress.snapshot_meta;
  message.offset = progress.snapshot_offset;
  message.data = std::move(chunk->data);
  message.done = chunk->last;
  message.read_round = read_round_;
  progress.snapshot_wait_ticks = 0;
  Send(std::move(message));
}

void RaftCore::HandleInstallSnapshot(const Message& message) {
  if (role_ == Role::kLeader) return;
  if (role_ != Role::kFollower) BecomeFollower(term(), message.from);
  leader_ = message.from;
  election_elapsed_ = 0;

  const SnapshotMeta& meta = message.snapshot;
  Message reply = ReplyTo(message, MessageType::kInstallSnapshotReply);
  reply.read_round = message.read_round;
  reply.snapshot.index = meta.index;
  reply.snapshot.term = meta.term;
  if (meta.index <= commit_index_) {
    // Everything the snapshot holds is committed here already.
    reply.done = true;
    reply.match_index = meta.index;
    Send(std::move(reply));
    return;
  }
  if (message.offset == 0) {
    Result<std::unique_ptr<SnapshotSink>> sink = state_machine_->BeginRestore(meta);
    if (!Check(sink.status())) return;
    restore_sink_ = std::move(sink).value();
    restore_meta_ = meta;
    restore_offset_ = 0;
  }
  bool same_transfer = restore_sink_ != nullptr && restore_meta_ == meta;
  if (!same_transfer || message.offset != restore_offset_) {
    // A lost, duplicated or foreign chunk: say where to continue.
    reply.offset = same_transfer ? restore_offset_ : 0;
    Send(std::move(reply));
    return;
  }
  if (!Check(restore_sink_->Write(message.offset, message.data))) return;
  restore_offset_ += message.data.size();
  if (!message.done) {
    reply.offset = restore_offset_;
    Send(std::move(reply));
    return;
  }
  if (!Check(restore_sink_->Commit())) return;
  restore_sink_.reset();
  if (!Check(AdoptSnapshot(meta))) return;
  applied_index_ = meta.index;
  commit_index_ = std::max(commit_index_, meta.index);
  ++counters_.snapshots_installed;
  LOG(kInfo, kLog) << "node " << self_ << " installed a snapshot through index " << meta.index
                   << " (term " << meta.term << ") from node " << message.from;
  reply.done = true;
  reply.match_index = meta.index;
  Send(std::move(reply));
}

Status RaftCore::AdoptSnapshot(const SnapshotMeta& meta) {
  // Thesis 5.1: a log that already holds the snapshot's last entry keeps what follows it.
  if (meta.index <= log_.last_index() && log_.TermAt(meta.index) == meta.term) {
    RETURN_IF_ERROR(storage_->CompactThrough(meta));
    log_.CompactThrough(meta);
  } else {
    RETURN_IF_ERROR(storage_->ResetToSnapshot(meta));
    log_.Reset(meta, {});
  }
  return Status::Ok();
}

void RaftCore::HandleInstallSnapshotReply(const Message& message) {
  Progress* answered = PeerAnswered(message);
  if (answered == nullptr) return;
  Progress& progress = *answered;
  if (progress.mode != ProgressMode::kSnapshot ||
      message.snapshot.index != progress.snapshot_meta.index) {
    return;  // an answer to an earlier transfer
  }
  if (message.done) {
    ++counters_.snapshots_sent;
    LOG(kInfo, kLog) << "node " << self_ << " finished sending the snapshot through index "
                     << message.match_index << " to node " << message.from;
    progress.match = std::max(progress.match, message.match_index);
    progress.BecomeProbe(progress.match + 1);
    MaybeAdvanceCommit();
    if (role_ != Role::kLeader) return;
    MaybePromoteLearner();
    SendToPeer(message.from, false);
    return;
  }
  progress.snapshot_offset = message.offset;
  SendSnapshotChunk(message.from, progress);
}

void RaftCore::MaybeCompact() {
  if (applied_index_ - log_.snapshot_index() < config_.compaction_threshold_entries) return;
  // Entries may leave the log only once their effect survives a crash.
  if (!Check(state_machine_->MakeDurable())) return;
  if (state_machine_->AppliedIndex() != applied_index_) {
    Check(
        Status::Internal("state machine applied index differs from the core's after MakeDurable"));
    return;
  }
  SnapshotMeta meta{.index = applied_index_,
                    .term = log_.TermAt(applied_index_).value_or(0),
                    .membership = log_.MembershipAt(applied_index_)};
  if (!Check(storage_->CompactThrough(meta))) return;
  log_.CompactThrough(meta);
  ++counters_.compactions;
  LOG(kInfo, kLog) << "node " << self_ << " compacted its log through index " << meta.index;
}

Status RaftCore::RecoverInterruptedRestore() {
  std::optional<SnapshotMeta> restored = state_machine_->RestoredFrom();
  if (!restored || restored->index <= log_.snapshot_index()) return Status::Ok();
  LOG(kInfo, kLog) << "node " << self_ << " finishes installing the snapshot through index "
                   << restored->index << " after a restart";
  return AdoptSnapshot(*restored);
}

}  // namespace tessera::raft
