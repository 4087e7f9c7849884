// The masters of the group as operators see them (clusterStatus), from the leader's GroupView.
// Pure function; thread-safe.
#pragma once

#include <vector>

#include "gen-cpp/tessera_types.h"
#include "master/master_group.h"

namespace tessera::master {

// One line per member, voters first: this master with its own indexes, the others as the
// leader tracks them ("follower", "learner", or "unreachable" when not heard from lately).
std::vector<rpc::MasterStatus> MasterStatuses(const GroupView& view);

}  // namespace tessera::master
