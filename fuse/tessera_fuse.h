// tessera-mount's file system: the libfuse low-level operations over client::FileSystem.
//
// Inode numbers are the master's (root = 1 = FUSE_ROOT_ID), so no inode table is kept and
// forget is a no-op. A regular file's fuse_file_info::fh owns a FileHandle (file_handle.h), a
// directory's owns a DirSnapshot (dir_snapshot.h).
//
// Lifetime and threads: one TesseraFuse lives for the whole mount and is the session's userdata.
// The FileSystem is attached once, after the process has daemonized (fork keeps no threads, and
// the client library runs background threads) and before the session loop starts; from then on
// the object is read-only but for the GroupsCache, PageCacheVersions and MountCounters, which
// are thread-safe themselves, so the multi-threaded loop's workers share it without a lock.
#pragma once

#include <fuse_lowlevel.h>

#include <memory>

#include "client/file_system.h"
#include "common/clock.h"
#include "fuse/atime_rule.h"
#include "fuse/blocked_locks.h"
#include "fuse/dir_snapshot.h"
#include "fuse/file_handle.h"
#include "fuse/fuse_op_metrics.h"
#include "fuse/groups_cache.h"
#include "fuse/handle_registry.h"
#include "fuse/mount_counters.h"
#include "fuse/page_cache_versions.h"

namespace tessera::fuse {

struct MountOptions {
  double attr_timeout_s = 1.0;   // how long the kernel may cache attributes
  double entry_timeout_s = 1.0;  // how long the kernel may cache a name -> inode lookup
  AtimeMode atime = AtimeMode::kRelatime;  // when reads move a file's atime
};

class TesseraFuse {
 public:
  explicit TesseraFuse(MountOptions options) : options_(options) {}
  TesseraFuse(const TesseraFuse&) = delete;
  TesseraFuse& operator=(const TesseraFuse&) = delete;

  // REQUIRES: called exactly once, before fuse_session_loop*; fs is not null.
  void AttachFileSystem(std::unique_ptr<client::FileSystem> fs) { fs_ = std::move(fs); }
  // REQUIRES: called once, before fuse_session_loop*; `session` outlives this object's use.
  // Needed to tell the kernel to drop cached attributes and pages
  // (fuse_lowlevel_notify_inval_inode: here and in lock_ops.cc).
  void AttachSession(fuse_session* session) { session_ = session; }
  // REQUIRES: called at most once, before fuse_session_loop*; `metrics` outlives this object.
  // Without it requests are not timed (unit tests).
  void AttachOpMetrics(FuseOpMetrics* metrics) { op_metrics_ = metrics; }
  // nullptr before AttachOpMetrics.
  FuseOpMetrics* op_metrics() const { return op_metrics_; }

  // The operations table; the session's userdata must be a TesseraFuse.
  static const fuse_lowlevel_ops& Operations();
  // The TesseraFuse of the session that `req` belongs to.
  static TesseraFuse& FromRequest(fuse_req_t req) {
    return *static_cast<TesseraFuse*>(fuse_req_userdata(req));
  }

  // nullptr before AttachSession.
  fuse_session* session() const { return session_; }

  // REQUIRES: AttachFileSystem was called.
  client::FileSystem& fs() const { return *fs_; }
  const MountOptions& options() const { return options_; }
  const Clock& clock() const { return clock_; }
  GroupsCache& groups_cache() { return groups_cache_; }
  HandleRegistry<FileHandle>& files() { return files_; }
  HandleRegistry<DirSnapshot>& dirs() { return dirs_; }
  PageCacheVersions& page_cache_versions() { return page_cache_versions_; }
  MountCounters& counters() { return counters_; }

  // The kernel forgets the attributes it caches for `inode` (not its pages), so the next stat
  // or read past the cached size asks again. Logs and returns false when the kernel refused
  // (e.g. it no longer knows the inode, which is fine: nothing is cached then).
  bool InvalidateKernelAttributes(int64_t inode);
  BlockedLocks& blocked_locks() { return blocked_locks_; }

  // End of the session: flushes and frees the handles whose release never came.
  void CloseLeftoverHandles();

 private:
  const MountOptions options_;
  const SystemClock clock_;
  GroupsCache groups_cache_{&clock_};
  std::unique_ptr<client::FileSystem> fs_;
  fuse_session* session_ = nullptr;
  FuseOpMetrics* op_metrics_ = nullptr;
  PageCacheVersions page_cache_versions_;
  MountCounters counters_;
  // Declared after fs_, so destroyed before it: open files must not outlive their FileSystem.
  HandleRegistry<FileHandle> files_;
  HandleRegistry<DirSnapshot> dirs_;
  // After fs_, so destroyed before it: its thread calls the FileSystem.
  BlockedLocks blocked_locks_;
};

}  // namespace tessera::fuse
