#include "master/raft_messages.h"

#include <string>

namespace tessera::master {
namespace {

constexpr int32_t kMaxMessageType = static_cast<int32_t>(raft::MessageType::kTimeoutNow);
constexpr int32_t kMaxEntryKind = static_cast<int32_t>(raft::EntryKind::kMembership);
// A group has a handful of members; anything near this is hostile, not big.
constexpr size_t kMaxMembers = 64;

Status NonNegative(int64_t value, const char* field) {
  if (value < 0) return Status::InvalidArgument(std::string(field) + " must be >= 0");
  return Status::Ok();
}

std::vector<rpc::RaftMember> MembersToRpc(const std::vector<raft::Member>& members) {
  std::vector<rpc::RaftMember> out;
  out.reserve(members.size());
  for (const raft::Member& member : members) {
    rpc::RaftMember wire;
    wire.id = static_cast<int64_t>(member.id);
    wire.address = member.address;
    out.push_back(std::move(wire));
  }
  return out;
}

Result<std::vector<raft::Member>> MembersFromRpc(const std::vector<rpc::RaftMember>& members) {
  if (members.size() > kMaxMembers) return Status::InvalidArgument("too many members");
  std::vector<raft::Member> out;
  out.reserve(members.size());
  for (const rpc::RaftMember& wire : members) {
    if (wire.id <= 0) return Status::InvalidArgument("member id must be > 0");
    out.push_back({static_cast<raft::NodeId>(wire.id), wire.address});
  }
  return out;
}

}  // namespace

rpc::RaftMembership ToRpc(const raft::Membership& membership) {
  rpc::RaftMembership wire;
  wire.voters = MembersToRpc(membership.voters);
  wire.learners = MembersToRpc(membership.learners);
  return wire;
}

Result<raft::Membership> FromRpc(const rpc::RaftMembership& wire) {
  raft::Membership membership;
  ASSIGN_OR_RETURN(membership.voters, MembersFromRpc(wire.voters));
  ASSIGN_OR_RETURN(membership.learners, MembersFromRpc(wire.learners));
  return membership;
}

rpc::RaftMessage ToRpc(const raft::Message& message) {
  rpc::RaftMessage wire;
  wire.type = static_cast<int32_t>(message.type);
  wire.from_id = static_cast<int64_t>(message.from);
  wire.to_id = static_cast<int64_t>(message.to);
  wire.term = static_cast<int64_t>(message.term);
  wire.last_log_index = static_cast<int64_t>(message.last_log_index);
  wire.last_log_term = static_cast<int64_t>(message.last_log_term);
  wire.leadership_transfer = message.leadership_transfer;
  wire.prev_log_index = static_cast<int64_t>(message.prev_log_index);
  wire.prev_log_term = static_cast<int64_t>(message.prev_log_term);
  wire.entries.reserve(message.entries.size());
  for (const raft::LogEntry& entry : message.entries) {
    rpc::RaftEntry out;
    out.term = static_cast<int64_t>(entry.term);
    out.index = static_cast<int64_t>(entry.index);
    out.kind = static_cast<int32_t>(entry.kind);
    out.data = entry.data;
    wire.entries.push_back(std::move(out));
  }
  wire.commit_index = static_cast<int64_t>(message.commit_index);
  wire.reject = message.reject;
  wire.match_index = static_cast<int64_t>(message.match_index);
  wire.reject_index = static_cast<int64_t>(message.reject_index);
  wire.hint_index = static_cast<int64_t>(message.hint_index);
  wire.hint_term = static_cast<int64_t>(message.hint_term);
  wire.read_round = static_cast<int64_t>(message.read_round);
  wire.snapshot.index = static_cast<int64_t>(message.snapshot.index);
  wire.snapshot.term = static_cast<int64_t>(message.snapshot.term);
  wire.snapshot.membership = ToRpc(message.snapshot.membership);
  wire.offset = static_cast<int64_t>(message.offset);
  wire.data = message.data;
  wire.done = message.done;
  return wire;
}

Result<raft::Message> FromRpc(const rpc::RaftMessage& wire) {
  if (wire.type < 0 || wire.type > kMaxMessageType) {
    return Status::InvalidArgument("unknown raft message type " + std::to_string(wire.type));
  }
  if (wire.from_id <= 0 || wire.to_id <= 0) {
    return Status::InvalidArgument("raft message needs from_id and to_id > 0");
  }
  const std::pair<int64_t, const char*> numbers[] = {
      {wire.term, "term"},
      {wire.last_log_index, "last_log_index"},
      {wire.last_log_term, "last_log_term"},
      {wire.prev_log_index, "prev_log_index"},
      {wire.prev_log_term, "prev_log_term"},
      {wire.commit_index, "commit_index"},
      {wire.match_index, "match_index"},
      {wire.reject_index, "reject_index"},
      {wire.hint_index, "hint_index"},
      {wire.hint_term, "hint_term"},
      {wire.read_round, "read_round"},
      {wire.snapshot.index, "snapshot.index"},
      {wire.snapshot.term, "snapshot.term"},
      {wire.offset, "offset"}};
  for (const auto& [value, field] : numbers) RETURN_IF_ERROR(NonNegative(value, field));

  raft::Message message;
  message.type = static_cast<raft::MessageType>(wire.type);
  message.from = static_cast<raft::NodeId>(wire.from_id);
  message.to = static_cast<raft::NodeId>(wire.to_id);
  message.term = static_cast<raft::Term>(wire.term);
  message.last_log_index = static_cast<raft::LogIndex>(wire.last_log_index);
  message.last_log_term = static_cast<raft::Term>(wire.last_log_term);
  message.leadership_transfer = wire.leadership_transfer;
  message.prev_log_index = static_cast<raft::LogIndex>(wire.prev_log_index);
  message.prev_log_term = static_cast<raft::Term>(wire.prev_log_term);
  message.entries.reserve(wire.entries.size());
  for (const rpc::RaftEntry& in : wire.entries) {
    if (in.term <= 0 || in.index <= 0) {
      return Status::InvalidArgument("raft entry needs term and index > 0");
    }
    if (in.kind < 0 || in.kind > kMaxEntryKind) {
      return Status::InvalidArgument("unknown raft entry kind " + std::to_string(in.kind));
    }
    raft::LogEntry entry;
    entry.term = static_cast<raft::Term>(in.term);
    entry.index = static_cast<raft::LogIndex>(in.index);
    entry.kind = static_cast<raft::EntryKind>(in.kind);
    entry.data = in.data;
    message.entries.push_back(std::move(entry));
  }
  message.commit_index = static_cast<raft::LogIndex>(wire.commit_index);
  message.reject = wire.reject;
  message.match_index = static_cast<raft::LogIndex>(wire.match_index);
  message.reject_index = static_cast<raft::LogIndex>(wire.reject_index);
  message.hint_index = static_cast<raft::LogIndex>(wire.hint_index);
  message.hint_term = static_cast<raft::Term>(wire.hint_term);
  message.read_round = static_cast<uint64_t>(wire.read_round);
  message.snapshot.index = static_cast<raft::LogIndex>(wire.snapshot.index);
  message.snapshot.term = static_cast<raft::Term>(wire.snapshot.term);
  ASSIGN_OR_RETURN(message.snapshot.membership, FromRpc(wire.snapshot.membership));
  message.offset = static_cast<uint64_t>(wire.offset);
  message.data = wire.data;
  message.done = wire.done;
  return message;
}

}  // namespace tessera::master
