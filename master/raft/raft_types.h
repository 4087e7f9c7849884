// Plain data shared by the Raft core and everything around it: log entries, membership,
// persistent state, snapshot metadata and the one Message struct that travels between nodes.
//
// Everything here is a value type without behaviour beyond encoding. The daemon maps Message to
// its Thrift struct field by field and persists Membership and SnapshotMeta as opaque bytes
// through Encode()/Decode(); those encodings are stable (a version byte leads) and Decode never
// trusts its input. Thread-safety: as for any value type.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace tessera::raft {

using NodeId = uint64_t;
using Term = uint64_t;
using LogIndex = uint64_t;

// NodeId 0 names no node: "no vote", "no known leader".
inline constexpr NodeId kNoNode = 0;

enum class EntryKind : uint8_t {
  kCommand = 0,     // opaque payload for the state machine
  kNoop = 1,        // appended by every new leader so that it can commit an entry of its term
  kMembership = 2,  // data is Membership::Encode() of the whole new configuration
};

struct LogEntry {
  Term term = 0;
  LogIndex index = 0;
  EntryKind kind = EntryKind::kCommand;
  std::string data;

  bool operator==(const LogEntry&) const = default;
};

struct Member {
  NodeId id = kNoNode;
  std::string address;  // opaque to the core; reported to clients that must find the leader

  bool operator==(const Member&) const = default;
};

// A configuration. Voters elect and form quorums; learners receive the log but neither vote nor
// count, which is how a new server catches up before it becomes a voter. A node is in at most one
// of the two lists.
struct Membership {
  std::vector<Member> voters;
  std::vector<Member> learners;

  bool IsVoter(NodeId id) const;
  bool IsLearner(NodeId id) const;
  bool Contains(NodeId id) const { return IsVoter(id) || IsLearner(id); }
  // nullptr when `id` is in neither list.
  const Member* Find(NodeId id) const;

  std::string Encode() const;
  static Result<Membership> Decode(std::string_view bytes);

  bool operator==(const Membership&) const = default;
};

// What must be on stable storage before the node answers any message of `term`.
struct HardState {
  Term term = 0;
  NodeId voted_for = kNoNode;

  bool operator==(const HardState&) const = default;
};

// Describes a snapshot: the state after applying every entry up to `index` (whose term is
// `term`), and the configuration in force at that index.
struct SnapshotMeta {
  LogIndex index = 0;
  Term term = 0;
  Membership membership;

  std::string Encode() const;
  static Result<SnapshotMeta> Decode(std::string_view bytes);

  bool operator==(const SnapshotMeta&) const = default;
};

enum class MessageType : uint8_t {
  kPreVote = 0,
  kPreVoteReply = 1,
  kVote = 2,
  kVoteReply = 3,
  kAppend = 4,
  kAppendReply = 5,
  kInstallSnapshot = 6,
  kInstallSnapshotReply = 7,
  kTimeoutNow = 8,
};

std::string_view MessageTypeName(MessageType type);

// One struct for every message; each type uses the fields named in its comment and leaves the
// others at their defaults. Plain data so that a transport can map it field by field.
struct Message {
  MessageType type = MessageType::kAppend;
  NodeId from = kNoNode;
  NodeId to = kNoNode;
  // The sender's term. kPreVote carries the term the sender would campaign in (its term + 1)
  // without having adopted it; a granted kPreVoteReply echoes that term.
  Term term = 0;

  // kPreVote, kVote: the candidate's last log position, for the up-to-date check.
  LogIndex last_log_index = 0;
  Term last_log_term = 0;
  // kPreVote, kVote: a campaign started by TimeoutNow; voters skip leader stickiness for it.
  bool leadership_transfer = false;

  // kAppend: the entries follow the entry (prev_log_index, prev_log_term); an empty list is a
  // heartbeat that still checks the log. commit_index is the leader's commit index.
  LogIndex prev_log_index = 0;
  Term prev_log_term = 0;
  std::vector<LogEntry> entries;
  LogIndex commit_index = 0;

  // Replies. kPreVoteReply/kVoteReply: reject = not granted. kAppendReply: reject = the log
  // did not hold (prev_log_index, prev_log_term).
  bool reject = false;
  // kAppendReply accepted: the follower's log now equals the leader's through this index.
  // kInstallSnapshotReply with done: the follower holds the snapshot through this index.
  LogIndex match_index = 0;
  // kAppendReply rejected: the prev_log_index that did not match, and a hint where the logs may
  // agree: the follower's last index at or below it whose term is <= prev_log_term.
  LogIndex reject_index = 0;
  LogIndex hint_index = 0;
  Term hint_term = 0;

  // kAppend, kInstallSnapshot and their replies: the leader's ReadIndex round, echoed back so
  // that one reply confirms leadership for every read waiting on that round or an earlier one.
  uint64_t read_round = 0;

  // kInstallSnapshot: chunk `data` at byte `offset` of the snapshot described by `snapshot`;
  // done marks the last chunk. kInstallSnapshotReply: snapshot.index names the snapshot, offset
  // is the next byte the follower expects (0 = start again), done = installed.
  SnapshotMeta snapshot;
  uint64_t offset = 0;
  std::string data;
  bool done = false;
};

}  // namespace tessera::raft
