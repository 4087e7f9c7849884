// Command line of tessera-mount (the contract in the project brief):
//
//   tessera-mount --masters H:P[,...] [-f] [-o FUSE_OPTS]... [--attr-timeout-s 1.0]
//                 [--entry-timeout-s 1.0] [--atime relatime] [--admin-port 0]
//                 [--log-level info] MOUNTPOINT
//   tessera-mount MASTERS MOUNTPOINT [-v] [-n] [-o OPTS]  (as mount.fuse.tessera: the form
//                                     `mount -t fuse.tessera MASTERS DIR` and /etc/fstab run;
//                                     -o may carry Tessera's settings, see mount_options.h)
//
// Parsing is separate from main() so that every rejection is unit-tested. Pure; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "common/address.h"
#include "common/logging.h"
#include "common/status.h"
#include "fuse/atime_rule.h"

namespace tessera::fuse {

struct MountFlags {
  std::vector<HostPort> masters;
  std::string mountpoint;
  bool foreground = false;
  // Each -o value split at commas, in order ("allow_other", "fsname=x", ...). Passed to libfuse,
  // which rejects the ones it does not know.
  std::vector<std::string> fuse_options;
  double attr_timeout_s = 1.0;
  double entry_timeout_s = 1.0;
  AtimeMode atime = AtimeMode::kRelatime;
  LogLevel log_level = LogLevel::kInfo;
  int admin_port = 0;  // HTTP admin port on 127.0.0.1 (/metrics, /status, /healthz); 0: off
  bool verbose = false;    // -v (mount -v): log the settings at start
  // Where log lines go once the mount runs ("": stderr, which is /dev/null once it has gone to
  // the background): a mount started by mount(8) or fstab has no other place to log.
  std::string log_file;
  bool show_help = false;  // --help: print Usage() and exit 0; other fields are unset
};

// One-paragraph usage text for --help and for errors.
std::string MountUsage();

// argv[0] is the program name. Any error is kInvalidArgument with a message fit for the user.
Result<MountFlags> ParseMountFlags(int argc, const char* const* argv);

}  // namespace tessera::fuse
