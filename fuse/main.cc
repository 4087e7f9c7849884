// tessera-mount: mounts a Tessera cluster at MOUNTPOINT (flags in mount_flags.h).
//
// Exit codes: 0 after a clean unmount (fusermount3 -u, SIGTERM, SIGINT), 2 for bad flags or
// FUSE options, 1 when mounting or the session fails.
#include <fcntl.h>
#include <malloc.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <system_error>

#include "client/file_system.h"
#include "common/clock.h"
#include "common/http_admin_server.h"
#include "common/logging.h"
#include "common/metrics.h"
#include "common/rpc_client_metrics.h"
#include "fuse/fuse_op_metrics.h"
#include "fuse/mount_admin.h"
#include "fuse/mount_flags.h"
#include "fuse/tessera_fuse.h"

namespace tessera::fuse {
namespace {

constexpr int kExitBadFlags = 2;
constexpr int kExitMountFailed = 1;
// Idle FUSE worker threads kept around: enough for parallel readers without thread churn.
constexpr unsigned kMaxIdleThreads = 16;

std::string MastersText(const MountFlags& flags) {
  std::string text;
  for (const HostPort& master : flags.masters) {
    if (!text.empty()) text += ',';
    text += master.ToString();
  }
  return text;
}

// The mount's metrics registry and what records into it: client RPCs (rpc_client_metrics.h) and
// FUSE requests (fuse_op_metrics.h). Creating them spawns no thread, so they may exist before
// the process daemonizes.
struct MountObservability {
  SystemClock clock;
  MetricsRegistry metrics;
  RpcClientMetrics client_rpc{&metrics, &clock};
  FuseOpMetrics fuse_ops{&metrics, &clock};
};

bool HasOption(const MountFlags& flags, std::string_view key) {
  for (const std::string& option : flags.fuse_options) {
    if (option == key || option.starts_with(std::string(key) + "=")) return true;
  }
  return false;
}

// argv for fuse_session_new: our defaults first, so that the user's -o options override them.
// libfuse copies what it needs; `args` is freed by the caller.
void BuildFuseArgs(const MountFlags& flags, fuse_args* args) {
  fuse_opt_add_arg(args, "tessera-mount");
  // The kernel checks permission bits itself (default_permissions), on every path component,
  // with the caller's real groups and capabilities, before it sends a request; the master then
  // checks again with the same identity. Without it the kernel checks nothing but asks the file
  // system only on lookups, so a name it cached (entry timeout) would let a caller walk through
  // a directory whose search bit was just taken away. The consequences, weighed: the kernel
  // answers access(2) from its cached attributes (the master's rules are the same: uid/gid/
  // other bits, root bypasses all but execute-without-any-x) and decides on attributes up to
  // --attr-timeout-s old, so a permission granted on another mount may take that long to be
  // honoured here, while one revoked on this mount is refused at once. Sticky directories,
  // setgid inheritance, chown/chgrp and setuid clearing stay the master's (checked per change);
  // the kernel's own checks of those agree with them, and no ACLs are kept (system.* is
  // EOPNOTSUPP), so the kernel's mode-only view is the whole truth. Not optional: the mount is
  // shared by users who must not see past a directory's bits.
  fuse_opt_add_arg(args, "-odefault_permissions");
  // The source column of /proc/mounts names the masters, as fstab's first field does: mount -a
  // then recognises the file system as already mounted instead of mounting it again.
  if (!HasOption(flags, "fsname")) {
    std::string escaped;  // libfuse splits -o values at commas not escaped with a backslash
    for (char c : MastersText(flags)) {
      if (c == ',') escaped += '\\';
      escaped += c;
    }
    fuse_opt_add_arg(args, ("-ofsname=" + escaped).c_str());
  }
  if (!HasOption(flags, "subtype")) fuse_opt_add_arg(args, "-osubtype=tessera");
  for (const std::string& option : flags.fuse_options) {
    fuse_opt_add_arg(args, "-o");
    fuse_opt_add_arg(args, option.c_str());
  }
}

// Opens --log-file for appending; -1 and no error when there is none.
Result<int> OpenLogFile(const MountFlags& flags) {
  if (flags.log_file.empty()) return -1;
  const int fd = open(flags.log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd < 0) {
    return Status::IoError("cannot open log file " + flags.log_file + ": " + std::strerror(errno));
  }
  return fd;
}

// The session after mounting: runs the loop and always unmounts. Log lines go to `log_fd` (when
// not -1) from here on: what went wrong before the mount was up went to the caller's stderr,
// which is where mount(8) shows it.
// `observability` outlives `tessera` (and so the client library that records into it).
int ServeMounted(const MountFlags& flags, const std::string& mountpoint, fuse_session* session,
                 TesseraFuse& tessera, MountObservability& observability, int log_fd) {
  if (!flags.foreground) {
    // fork drops every thread, so the client library is created only after this point.
    LOG(kInfo, "fuse") << "mount ready at " << mountpoint << " (continuing in the background; "
                       << (log_fd < 0 ? "use -f or --log-file to keep logs)"
                                      : "logging to " + flags.log_file + ")");
    if (fuse_daemonize(0) != 0) {
      LOG(kError, "fuse") << "could not daemonize; unmounting " << mountpoint;
      fuse_session_unmount(session);
      return kExitMountFailed;
    }
  }
  if (log_fd >= 0) {
    dup2(log_fd, STDERR_FILENO);
    close(log_fd);
    LOG(kInfo, "fuse") << "serving " << mountpoint << " (masters " << MastersText(flags) << ")";
  }
  client::ClientOptions client_options;
  client_options.masters = flags.masters;
  client_options.rpc_metrics = &observability.client_rpc;
  Result<std::unique_ptr<client::FileSystem>> fs = client::FileSystem::Create(client_options);
  if (!fs.ok()) {
    LOG(kError, "fuse") << "cannot start the client library: " << fs.status().ToString()
                        << "; unmounting " << mountpoint;
    fuse_session_unmount(session);
    return kExitMountFailed;
  }
  tessera.AttachFileSystem(std::move(fs).value());
  if (flags.foreground) {
    LOG(kInfo, "fuse") << "mount ready at " << mountpoint;
  }

  // After daemonizing: fork keeps no thread, and the admin server runs one.
  const SystemClock& clock = observability.clock;
  MetricsRegistry& metrics = observability.metrics;
  MountAdminSources admin_sources{.mountpoint = mountpoint,
                                  .masters = flags.masters,
                                  .counters = &tessera.counters(),
                                  .clock = &clock,
                                  .started_ns = clock.NowMonotonicNanos()};
  RegisterMountMetrics(admin_sources, &metrics);
  HttpAdminServer admin(HostPort{"127.0.0.1", flags.admin_port});
  if (flags.admin_port != 0) {
    AddStandardAdminRoutes(&admin, &metrics, MountAdminHooks(admin_sources));
    if (Status started = admin.Start(); !started.ok()) {
      LOG(kError, "fuse") << "cannot serve the admin port " << flags.admin_port << ": "
                          << started.ToString() << "; unmounting " << mountpoint;
      fuse_session_unmount(session);
      return kExitMountFailed;
    }
  }

  fuse_loop_config loop_config{};
  loop_config.clone_fd = 0;
  loop_config.max_idle_threads = kMaxIdleThreads;
  const int loop_result = fuse_session_loop_mt(session, &loop_config);
  admin.Stop();
  fuse_session_unmount(session);
  // A positive result is the signal that ended the loop: a requested, clean shutdown.
  if (loop_result < 0) {
    LOG(kError, "fuse") << "session loop failed (" << loop_result << "); unmounted " << mountpoint;
    return kExitMountFailed;
  }
  LOG(kInfo, "fuse") << "unmounted " << mountpoint
                     << (loop_result > 0 ? " after signal " + std::to_string(loop_result) : "");
  return 0;
}

int Run(int argc, char** argv) {
  Result<MountFlags> parsed = ParseMountFlags(argc, argv);
  if (!parsed.ok()) {
    std::cerr << "tessera-mount: " << parsed.status().message() << "\n\n" << MountUsage();
    return kExitBadFlags;
  }
  const MountFlags& flags = *parsed;
  if (flags.show_help) {
    std::cout << MountUsage();
    return 0;
  }
  SetLogLevel(flags.log_level);
  if (flags.verbose) {
    std::string fuse_options;
    for (const std::string& option : flags.fuse_options) fuse_options += " " + option;
    LOG(kInfo, "fuse") << "mounting masters " << MastersText(flags) << " at " << flags.mountpoint
                       << ": attr timeout " << flags.attr_timeout_s << " s, entry timeout "
                       << flags.entry_timeout_s << " s, atime " << AtimeModeName(flags.atime)
                       << ", admin port " << flags.admin_port << ", FUSE options:"
                       << (fuse_options.empty() ? " none" : fuse_options);
  }

  if (access("/dev/fuse", F_OK) != 0) {
    LOG(kError, "fuse") << "/dev/fuse is missing: load the fuse kernel module (modprobe fuse) "
                           "or give the container the device (--device /dev/fuse)";
    return kExitMountFailed;
  }
  std::error_code error;
  const std::filesystem::path mountpoint = std::filesystem::absolute(flags.mountpoint, error);
  if (error || !std::filesystem::is_directory(mountpoint, error)) {
    LOG(kError, "fuse") << "mount point " << flags.mountpoint << " is not a directory";
    return kExitMountFailed;
  }

  Result<int> log_fd = OpenLogFile(flags);
  if (!log_fd.ok()) {
    LOG(kError, "fuse") << log_fd.status().message();
    return kExitMountFailed;
  }

  // Declared before `tessera`, so destroyed after it: the client library and the FUSE handlers
  // record into it until the session and the FileSystem are gone.
  MountObservability observability;
  TesseraFuse tessera(MountOptions{.attr_timeout_s = flags.attr_timeout_s,
                                   .entry_timeout_s = flags.entry_timeout_s,
                                   .atime = flags.atime});
  fuse_args args = FUSE_ARGS_INIT(0, nullptr);
  BuildFuseArgs(flags, &args);
  fuse_session* session =
      fuse_session_new(&args, &TesseraFuse::Operations(), sizeof(fuse_lowlevel_ops), &tessera);
  if (session == nullptr) {
    // libfuse has printed which option it rejected.
    LOG(kError, "fuse") << "bad FUSE options (-o)";
    fuse_opt_free_args(&args);
    return kExitBadFlags;
  }
  tessera.AttachSession(session);
  tessera.AttachOpMetrics(&observability.fuse_ops);
  int exit_code = kExitMountFailed;
  if (fuse_set_signal_handlers(session) != 0) {
    LOG(kError, "fuse") << "cannot install signal handlers";
  } else {
    if (fuse_session_mount(session, mountpoint.c_str()) != 0) {
      LOG(kError, "fuse") << "mounting at " << mountpoint.string()
                          << " failed (see the libfuse message above)";
    } else {
      LOG(kInfo, "fuse") << "mounted at " << mountpoint.string() << ", masters "
                         << flags.masters.size() << " (first " << flags.masters[0].ToString()
                         << "), atime " << AtimeModeName(flags.atime) << ", attr timeout "
                         << flags.attr_timeout_s << " s, entry timeout " << flags.entry_timeout_s
                         << " s";
      exit_code =
          ServeMounted(flags, mountpoint.string(), session, tessera, observability, *log_fd);
    }
    fuse_remove_signal_handlers(session);
  }
  fuse_session_destroy(session);
  fuse_opt_free_args(&args);
  return exit_code;
}

}  // namespace
}  // namespace tessera::fuse

int main(int argc, char** argv) {
  // Every data request allocates buffers of up to 4 MiB. Keep them on the heap rather than
  // mmap/munmap per request, which costs page faults and page zeroing on every write.
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  return tessera::fuse::Run(argc, argv);
}
