#include "master/raft/raft_types.h"

#include <algorithm>
#include <set>

namespace tessera::raft {
namespace {

// Encodings are little-endian and versioned by their first byte, so that a future layout can be
// told apart from this one.
constexpr uint8_t kMembershipVersion = 1;
constexpr uint8_t kSnapshotMetaVersion = 1;
// A configuration never holds more members than this; Decode refuses larger counts before
// allocating for them.
constexpr uint64_t kMaxMembers = 1000;

void PutFixed64(std::string* out, uint64_t value) {
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

void PutBytes(std::string* out, std::string_view bytes) {
  PutFixed64(out, bytes.size());
  out->append(bytes);
}

void PutMembers(std::string* out, const std::vector<Member>& members) {
  PutFixed64(out, members.size());
  for (const Member& member : members) {
    PutFixed64(out, member.id);
    PutBytes(out, member.address);
  }
}

// Reads from the front of a byte string; any read past the end marks the reader failed.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : rest_(bytes) {}

  bool ok() const { return ok_; }
  bool empty() const { return rest_.empty(); }

  uint8_t Byte() {
    if (rest_.empty()) return Fail();
    uint8_t value = static_cast<uint8_t>(rest_[0]);
    rest_.remove_prefix(1);
    return value;
  }
  uint64_t Fixed64() {
    if (rest_.size() < 8) return Fail();
    uint64_t value = 0;
    for (int i = 0; i < 8; ++i) value |= uint64_t{static_cast<uint8_t>(rest_[i])} << (8 * i);
    rest_.remove_prefix(8);
    return value;
  }
  std::string Bytes() {
    uint64_t size = Fixed64();
    if (!ok_ || rest_.size() < size) return Fail(), std::string();
    std::string value(rest_.substr(0, size));
    rest_.remove_prefix(size);
    return value;
  }
  std::vector<Member> Members() {
    uint64_t count = Fixed64();
    if (!ok_ || count > kMaxMembers) return Fail(), std::vector<Member>();
    std::vector<Member> members(count);
    for (Member& member : members) {
      member.id = Fixed64();
      member.address = Bytes();
    }
    return members;
  }

 private:
  uint8_t Fail() {
    ok_ = false;
    rest_ = {};
    return 0;
  }

  std::string_view rest_;
  bool ok_ = true;
};

Result<Membership> ReadMembership(Reader* reader) {
  Membership membership;
  membership.voters = reader->Members();
  membership.learners = reader->Members();
  if (!reader->ok()) return Status::Corruption("truncated membership");
  std::set<NodeId> seen;
  for (const std::vector<Member>* members : {&membership.voters, &membership.learners}) {
    for (const Member& member : *members) {
      if (member.id == kNoNode) return Status::Corruption("membership names node 0");
      if (!seen.insert(member.id).second) {
        return Status::Corruption("membership names node " + std::to_string(member.id) + " twice");
      }
    }
  }
  return membership;
}

const Member* FindIn(const std::vector<Member>& members, NodeId id) {
  auto it = std::find_if(members.begin(), members.end(),
                         [id](const Member& member) { return member.id == id; });
  return it == members.end() ? nullptr : &*it;
}

}  // namespace

bool Membership::IsVoter(NodeId id) const { return FindIn(voters, id) != nullptr; }
bool Membership::IsLearner(NodeId id) const { return FindIn(learners, id) != nullptr; }

const Member* Membership::Find(NodeId id) const {
  const Member* voter = FindIn(voters, id);
  return voter != nullptr ? voter : FindIn(learners, id);
}

std::string Membership::Encode() const {
  std::string out;
  out.push_back(static_cast<char>(kMembershipVersion));
  PutMembers(&out, voters);
  PutMembers(&out, learners);
  return out;
}

Result<Membership> Membership::Decode(std::string_view bytes) {
  Reader reader(bytes);
  if (reader.Byte() != kMembershipVersion) return Status::Corruption("unknown membership version");
  ASSIGN_OR_RETURN(Membership membership, ReadMembership(&reader));
  if (!reader.empty()) return Status::Corruption("trailing bytes after membership");
  return membership;
}

std::string SnapshotMeta::Encode() const {
  std::string out;
  out.push_back(static_cast<char>(kSnapshotMetaVersion));
  PutFixed64(&out, index);
  PutFixed64(&out, term);
  PutMembers(&out, membership.voters);
  PutMembers(&out, membership.learners);
  return out;
}

Result<SnapshotMeta> SnapshotMeta::Decode(std::string_view bytes) {
  Reader reader(bytes);
  if (reader.Byte() != kSnapshotMetaVersion) {
    return Status::Corruption("unknown snapshot meta version");
  }
  SnapshotMeta meta;
  meta.index = reader.Fixed64();
  meta.term = reader.Fixed64();
  ASSIGN_OR_RETURN(meta.membership, ReadMembership(&reader));
  if (!reader.empty()) return Status::Corruption("trailing bytes after snapshot meta");
  return meta;
}

std::string_view MessageTypeName(MessageType type) {
  switch (type) {
    case MessageType::kPreVote:
      return "PreVote";
    case MessageType::kPreVoteReply:
      return "PreVoteReply";
    case MessageType::kVote:
      return "Vote";
    case MessageType::kVoteReply:
      return "VoteReply";
    case MessageType::kAppend:
      return "Append";
    case MessageType::kAppendReply:
      return "AppendReply";
    case MessageType::kInstallSnapshot:
      return "InstallSnapshot";
    case MessageType::kInstallSnapshotReply:
      return "InstallSnapshotReply";
    case MessageType::kTimeoutNow:
      return "TimeoutNow";
  }
  return "Unknown";
}

}  // namespace tessera::raft
