// The in-memory mirror of a node's persistent log: the snapshot's position and configuration,
// the entries after it, and the history of configurations those entries carry (a configuration
// is in force from the moment it is appended, and falls back when a truncation removes it).
//
// RaftCore writes storage first and mirrors the change here only when storage said OK.
// Not thread-safe; owned by RaftCore.
#pragma once

#include <deque>
#include <optional>
#include <utility>
#include <vector>

#include "master/raft/raft_types.h"

namespace tessera::raft {

class RaftLog {
 public:
  // Replaces everything. REQUIRES: entries follow snapshot.index contiguously, and membership
  // entries carry valid encodings.
  void Reset(const SnapshotMeta& snapshot, std::vector<LogEntry> entries);

  LogIndex snapshot_index() const { return snapshot_.index; }
  Term snapshot_term() const { return snapshot_.term; }
  LogIndex last_index() const { return snapshot_.index + entries_.size(); }
  Term last_term() const { return entries_.empty() ? snapshot_.term : entries_.back().term; }

  // The term of the entry at `index`; nullopt outside [snapshot_index, last_index].
  std::optional<Term> TermAt(LogIndex index) const;
  // REQUIRES: snapshot_index < index <= last_index.
  const LogEntry& At(LogIndex index) const { return entries_[index - snapshot_.index - 1]; }
  // Entries from `from` on, at most max_entries of them and about max_bytes (at least one).
  // REQUIRES: snapshot_index < from.
  std::vector<LogEntry> Slice(LogIndex from, uint64_t max_entries, uint64_t max_bytes) const;

  // REQUIRES: entries continue the log contiguously.
  void Append(const std::vector<LogEntry>& entries);
  // Drops entries >= index. REQUIRES: snapshot_index < index.
  void TruncateFrom(LogIndex index);
  // REQUIRES: snapshot_index <= meta.index <= last_index.
  void CompactThrough(const SnapshotMeta& meta);

  // The latest configuration in the log (or the snapshot's), and the index it was appended at.
  const Membership& membership() const;
  LogIndex membership_index() const;
  // The configuration in force at `index`. REQUIRES: snapshot_index <= index <= last_index.
  const Membership& MembershipAt(LogIndex index) const;

  // The first index >= snapshot_index + 1 at or below `index` whose term is <= `term`, searching
  // down from `index` (the conflict hint of thesis 5.3 / etcd's findConflictByTerm). Returns
  // snapshot_index when none is left.
  LogIndex LastIndexWithTermAtMost(LogIndex index, Term term) const;

 private:
  SnapshotMeta snapshot_;
  std::deque<LogEntry> entries_;
  // (index, configuration) of every membership entry in entries_, ascending.
  std::vector<std::pair<LogIndex, Membership>> memberships_;
};

}  // namespace tessera::raft
