// The open-file report between a mount and the master leader (MasterService.reportOpenFiles):
// each mount names the inodes it holds open about once per interval, so that the leader keeps a
// file whose last name was removed until no mount holds it open (master/unlinked_inode_reaper.h).
// Both sides build on these numbers; the master's grace must span several intervals.
#pragma once

#include <cstdint>

namespace tessera {

// How often a mount that holds files open reports them.
inline constexpr int kOpenFilesReportIntervalMs = 1000;
// The most inodes in one report; a mount holding more sends several reports.
inline constexpr int kMaxOpenFilesPerReport = 10000;
// The shortest grace the leader may give an unlinked inode before freeing it: a mount that
// opened the file just before the unlink must have reported it by then.
inline constexpr int64_t kMinOpenFileGraceMs = 3 * kOpenFilesReportIntervalMs;

}  // namespace tessera
