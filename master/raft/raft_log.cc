#include "master/raft/raft_log.h"

#include <cassert>

namespace tessera::raft {

void RaftLog::Reset(const SnapshotMeta& snapshot, std::vector<LogEntry> entries) {
  snapshot_ = snapshot;
  entries_.clear();
  memberships_.clear();
  Append(entries);
}

std::optional<Term> RaftLog::TermAt(LogIndex index) const {
  if (index == snapshot_.index) return snapshot_.term;
  if (index < snapshot_.index || index > last_index()) return std::nullopt;
  return At(index).term;
}

std::vector<LogEntry> RaftLog::Slice(LogIndex from, uint64_t max_entries,
                                     uint64_t max_bytes) const {
  std::vector<LogEntry> out;
  uint64_t bytes = 0;
  for (LogIndex index = from; index <= last_index() && out.size() < max_entries; ++index) {
    const LogEntry& entry = At(index);
    if (!out.empty() && bytes + entry.data.size() > max_bytes) break;
    bytes += entry.data.size();
    out.push_back(entry);
  }
  return out;
}

void RaftLog::Append(const std::vector<LogEntry>& entries) {
  for (const LogEntry& entry : entries) {
    assert(entry.index == last_index() + 1);
    entries_.push_back(entry);
    if (entry.kind == EntryKind::kMembership) {
      Result<Membership> membership = Membership::Decode(entry.data);
      // RaftCore checks membership entries before they reach the log.
      assert(membership.ok());
      if (membership.ok()) memberships_.emplace_back(entry.index, std::move(membership).value());
    }
  }
}

void RaftLog::TruncateFrom(LogIndex index) {
  assert(index > snapshot_.index);
  while (last_index() >= index) entries_.pop_back();
  while (!memberships_.empty() && memberships_.back().first >= index) memberships_.pop_back();
}

void RaftLog::CompactThrough(const SnapshotMeta& meta) {
  assert(meta.index >= snapshot_.index && meta.index <= last_index());
  while (!entries_.empty() && entries_.front().index <= meta.index) entries_.pop_front();
  while (!memberships_.empty() && memberships_.front().first <= meta.index) {
    memberships_.erase(memberships_.begin());
  }
  snapshot_ = meta;
}

const Membership& RaftLog::membership() const {
  return memberships_.empty() ? snapshot_.membership : memberships_.back().second;
}

LogIndex RaftLog::membership_index() const {
  return memberships_.empty() ? snapshot_.index : memberships_.back().first;
}

const Membership& RaftLog::MembershipAt(LogIndex index) const {
  for (auto it = memberships_.rbegin(); it != memberships_.rend(); ++it) {
    if (it->first <= index) return it->second;
  }
  return snapshot_.membership;
}

LogIndex RaftLog::LastIndexWithTermAtMost(LogIndex index, Term term) const {
  if (index > last_index()) index = last_index();
  while (index > snapshot_.index && At(index).term > term) --index;
  return index;
}

}  // namespace tessera::raft
