// Command line of tessera-master (the contract in DESIGN.md's preamble):
//   tessera-master --listen HOST:PORT --data-dir DIR [--id 1]
//                  [--peers 1=HOST:PORT,2=HOST:PORT,3=HOST:PORT | --join]
//                  [--default-goal 3] [--chunkserver-timeout-ms 5000] [--log-level info] ...
// --peers names the founding members of the Raft group (this master among them); it is read
// only when the data directory is new. Without it a new master founds a group of one.
// --join starts a new master that waits to be added (`tessera master add`).
// Defaults live here and nowhere else. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/address.h"
#include "common/logging.h"
#include "common/names.h"
#include "common/status.h"

namespace tessera::master {

struct FoundingMember {
  uint64_t id = 0;
  HostPort address;
};

struct MasterOptions {
  HostPort listen;
  std::string data_dir;
  uint64_t id = 1;
  // Where other masters, chunk servers and clients reach this master (default: --listen).
  HostPort advertise;
  std::vector<FoundingMember> peers;  // empty: a group of this master alone
  bool join = false;
  int raft_tick_ms = 50;
  int heartbeat_ms = 100;
  int election_timeout_ms = 500;
  uint64_t snapshot_entries = 10000;  // compact the Raft log after this many applied entries
  int default_goal = 3;
  int64_t chunkserver_timeout_ms = 5000;
  int64_t write_lease_ms = 60000;  // a write lease lasts this long after its last use
  int64_t gc_grace_ms = 60000;     // an unreferenced chunk replica is deleted after this long
  // An unlinked file that no mount reported open for this long is freed.
  int64_t open_file_grace_ms = 5000;
  // A mount holding file locks that sends no heartbeat for this long loses them.
  int64_t mount_timeout_ms = 10000;
  // Automatic balancing (master/balancer.h): percentage points from the mean use (0: off) and
  // its rate in MB/s (10^6 bytes).
  double auto_balance_threshold_pct = 0;
  double auto_balance_mbps = 4;
  // HTTP admin port (/metrics, /status, /healthz, the status page) on --listen's host; 0: off.
  int admin_port = 0;
  LogLevel log_level = LogLevel::kInfo;
  bool help_requested = false;  // --help: print Usage() and exit 0
};

// kInvalidArgument with a message naming the flag for anything unknown, missing or out of range.
Result<MasterOptions> ParseMasterOptions(int argc, const char* const* argv);
std::string MasterUsage();

}  // namespace tessera::master
