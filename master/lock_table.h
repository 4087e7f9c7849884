// The rules of file locks, as pure functions over one inode's locks (master/ops/set_lock.cc
// applies them to the stored records; tests/unit/master/lock_table_test.cc checks them).
//
// Semantics are Linux's:
//   - POSIX record locks (fcntl F_SETLK) belong to an owner, cover byte ranges and may be
//     read (shared) or write (exclusive). Setting a lock over an owner's own locks replaces
//     them in that range (splitting a lock that sticks out on either side); an owner's adjacent
//     or overlapping locks of one type merge. Unlocking a range splits as well. An owner's locks
//     never conflict with each other, so upgrades and downgrades are one request; an upgrade
//     that conflicts changes nothing (it is refused as a whole).
//   - flock locks cover the whole file, one per owner, and are judged apart from POSIX locks:
//     a flock lock never conflicts with a POSIX lock. A conversion (shared <-> exclusive) is
//     atomic here, which Linux allows but does not promise.
// The owner is (mount_id, owner): the mount's random id and the kernel's lock owner in it.
// Ranges are inclusive [start, end]; end == kLockToEof reaches past any end of file.
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "gen-cpp/tessera_types.h"

namespace tessera::master {

inline constexpr int64_t kLockToEof = std::numeric_limits<int64_t>::max();

struct HeldLock {
  int64_t mount_id = 0;
  int64_t owner = 0;
  int32_t kind = rpc::LockKind::POSIX;
  int32_t type = rpc::LockType::READ;  // READ or WRITE; UNLOCK only in requests
  int64_t start = 0;
  int64_t end = kLockToEof;  // inclusive
  int32_t pid = 0;

  bool operator==(const HeldLock& other) const = default;
};

bool SameOwner(const HeldLock& a, const HeldLock& b);

// kInvalidArgument (naming the field) unless `lock` is a well-formed request: mount id > 0,
// known kind and type, 0 <= start <= end, pid >= 0, and a flock request covering the whole file.
Status ValidateLockRequest(const HeldLock& lock);

// The first lock in `held` of another owner and the same kind that conflicts with `request`
// (READ or WRITE): overlapping ranges with at least one WRITE. nullopt when none does.
std::optional<HeldLock> FindConflict(const std::vector<HeldLock>& held, const HeldLock& request);

// The locks of request's owner and kind after `request` (READ, WRITE or UNLOCK) is applied to
// `own`, that owner's locks of that kind (any order, non-overlapping). The result is sorted by
// start, non-overlapping, with adjacent locks of one type merged.
std::vector<HeldLock> ApplyToOwnLocks(const std::vector<HeldLock>& own, const HeldLock& request);

// "write lock [0, EOF] of mount 12 owner 7 (pid 99)" for messages and log lines.
std::string DescribeLock(const HeldLock& lock);

}  // namespace tessera::master
