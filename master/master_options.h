// Command line of tessera-master (the contract in DESIGN.md's preamble):
//   tessera-master --listen HOST:PORT --data-dir DIR [--default-goal 3]
//                  [--chunkserver-timeout-ms 5000] [--log-level info]
// Defaults live here and nowhere else. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "common/address.h"
#include "common/logging.h"
#include "common/status.h"

namespace tessera::master {

inline constexpr int kMaxGoal = 16;

struct MasterOptions {
  HostPort listen;
  std::string data_dir;
  int default_goal = 3;
  int64_t chunkserver_timeout_ms = 5000;
  LogLevel log_level = LogLevel::kInfo;
  bool help_requested = false;  // --help: print Usage() and exit 0
};

// kInvalidArgument with a message naming the flag for anything unknown, missing or out of range.
Result<MasterOptions> ParseMasterOptions(int argc, const char* const* argv);
std::string MasterUsage();

}  // namespace tessera::master
