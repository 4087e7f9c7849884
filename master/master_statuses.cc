#include "master/master_statuses.h"

#include <string>

namespace tessera::master {
namespace {

rpc::MasterStatus Line(const raft::Member& member, bool voter, const GroupView& view) {
  rpc::MasterStatus line;
  line.id = static_cast<int64_t>(member.id);
  line.address = member.address;
  line.voter = voter;
  line.term = static_cast<int64_t>(view.term);
  if (member.id == view.id) {
    line.role = std::string(raft::RoleName(view.role));
    line.applied_index = static_cast<int64_t>(view.applied_index);
    line.commit_index = static_cast<int64_t>(view.commit_index);
    line.last_index = static_cast<int64_t>(view.last_index);
    line.match_index = static_cast<int64_t>(view.last_index);
    return line;
  }
  line.role = voter ? "follower" : "learner";
  for (const raft::PeerStatus& peer : view.peers) {
    if (peer.member.id != member.id) continue;
    line.match_index = static_cast<int64_t>(peer.match_index);
    if (!peer.recently_active) line.role = "unreachable";
  }
  return line;
}

}  // namespace

std::vector<rpc::MasterStatus> MasterStatuses(const GroupView& view) {
  std::vector<rpc::MasterStatus> lines;
  for (const raft::Member& member : view.membership.voters) {
    lines.push_back(Line(member, /*voter=*/true, view));
  }
  for (const raft::Member& member : view.membership.learners) {
    lines.push_back(Line(member, /*voter=*/false, view));
  }
  return lines;
}

}  // namespace tessera::master
