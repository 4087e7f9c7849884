// The -o items of a mount, sorted by who they are for. `mount -t fuse.tessera` and /etc/fstab
// run `mount.fuse.tessera MASTERS DIR [-v] -o rw,allow_other,_netdev,...`, so one -o list mixes
//   - fstab and mount(8) bookkeeping that means nothing to the mount itself (_netdev, nofail,
//     defaults, noauto, user, x-systemd.*, comment=...): dropped;
//   - Tessera's own settings, which fstab can give no other way: attr_timeout=S,
//     entry_timeout=S, atime=MODE or the bare noatime/relatime/strictatime, admin_port=N,
//     log_level=L, log_file=PATH: applied as the flags of the same name (the masters are
//     fstab's first field);
//   - everything else (allow_other, ro, fsname=...): left for libfuse, which rejects what it
//     does not know.
// Pure; thread-safe.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "common/status.h"
#include "fuse/mount_flags.h"

namespace tessera::fuse {

// Moves the Tessera and fstab items out of flags->fuse_options, applying the Tessera ones to
// `flags` and validating them as the flags are validated. `given_flags` names the long flags
// given on the command line: a setting given both ways is refused rather than one silently
// winning. Errors are kInvalidArgument with a message fit for the user.
Status SortMountOptions(const std::set<std::string>& given_flags, MountFlags* flags);

}  // namespace tessera::fuse
