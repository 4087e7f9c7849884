// One seeded run of the whole Raft group under chaos, then a healing phase:
// - chaos: message loss, duplication and delay, partitions that come and go, crashes and
//   restarts at random ticks, I/O faults inside storage and state machine calls (so crashes
//   land in the middle of compaction and snapshot install), membership changes between 3 and 5
//   voters (fresh nodes added, any node removed, the leader included), leadership transfers,
//   and clients doing puts (Propose) and gets (ReadIndex) on a few keys;
// - healing: faults stop and every member restarts; a leader must commit a new entry on every
//   voter within a bounded number of ticks.
// Safety invariants are checked throughout (SimCluster), and the client history must be
// linearizable. The same seed always gives the same run.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tessera::raft::sim {

struct SimulationOptions {
  uint64_t seed = 1;
  int chaos_ticks = 800;
  // Healing must produce a committed entry on every voter within this many ticks.
  int liveness_ticks = 300;
  bool verbose = false;  // narrate the run on stderr
};

struct SimulationStats {
  uint64_t ticks = 0;
  uint64_t messages = 0;
  uint64_t leaders_elected = 0;
  uint64_t snapshots_installed = 0;
  uint64_t compactions = 0;
  uint64_t crashes = 0;
  uint64_t injected_faults = 0;
  uint64_t membership_changes = 0;
  uint64_t transfers = 0;
  uint64_t puts_acknowledged = 0;
  uint64_t gets_answered = 0;
  uint64_t operations_checked = 0;

  SimulationStats& operator+=(const SimulationStats& other);
};

struct SimulationResult {
  std::vector<std::string> failures;  // empty when every check passed
  SimulationStats stats;
};

SimulationResult RunRandomSimulation(const SimulationOptions& options);

}  // namespace tessera::raft::sim
