#include "master/lock_table.h"

#include <algorithm>

namespace tessera::master {

bool SameOwner(const HeldLock& a, const HeldLock& b) {
  return a.mount_id == b.mount_id && a.owner == b.owner;
}

Status ValidateLockRequest(const HeldLock& lock) {
  if (lock.mount_id <= 0) {
    return Status::InvalidArgument("lock mount id " + std::to_string(lock.mount_id) + " <= 0");
  }
  if (lock.kind != rpc::LockKind::POSIX && lock.kind != rpc::LockKind::FLOCK) {
    return Status::InvalidArgument("unknown lock kind " + std::to_string(lock.kind));
  }
  if (lock.type != rpc::LockType::READ && lock.type != rpc::LockType::WRITE &&
      lock.type != rpc::LockType::UNLOCK) {
    return Status::InvalidArgument("unknown lock type " + std::to_string(lock.type));
  }
  if (lock.start < 0 || lock.end < lock.start) {
    return Status::InvalidArgument("lock range [" + std::to_string(lock.start) + ", " +
                                   std::to_string(lock.end) + "] is invalid");
  }
  if (lock.pid < 0) return Status::InvalidArgument("lock pid " + std::to_string(lock.pid) + " < 0");
  if (lock.kind == rpc::LockKind::FLOCK && (lock.start != 0 || lock.end != kLockToEof)) {
    return Status::InvalidArgument("a flock lock covers the whole file");
  }
  return Status::Ok();
}

namespace {

bool Overlap(const HeldLock& a, const HeldLock& b) { return a.start <= b.end && b.start <= a.end; }

// Whether `b` starts right after `a` ends, without overflow at the end of the file.
bool Adjacent(const HeldLock& a, const HeldLock& b) {
  return a.end != kLockToEof && a.end + 1 == b.start;
}

}  // namespace

std::optional<HeldLock> FindConflict(const std::vector<HeldLock>& held, const HeldLock& request) {
  for (const HeldLock& lock : held) {
    if (lock.kind != request.kind || SameOwner(lock, request) || !Overlap(lock, request)) continue;
    if (lock.type == rpc::LockType::WRITE || request.type == rpc::LockType::WRITE) return lock;
  }
  return std::nullopt;
}

std::vector<HeldLock> ApplyToOwnLocks(const std::vector<HeldLock>& own, const HeldLock& request) {
  std::vector<HeldLock> pieces;
  // What lies outside the request's range stays, cut at its edges.
  for (const HeldLock& lock : own) {
    if (!Overlap(lock, request)) {
      pieces.push_back(lock);
      continue;
    }
    if (lock.start < request.start) {
      HeldLock left = lock;
      left.end = request.start - 1;
      pieces.push_back(left);
    }
    if (lock.end > request.end) {
      HeldLock right = lock;
      right.start = request.end + 1;  // request.end < lock.end <= kLockToEof: no overflow
      pieces.push_back(right);
    }
  }
  if (request.type != rpc::LockType::UNLOCK) pieces.push_back(request);
  std::sort(pieces.begin(), pieces.end(),
            [](const HeldLock& a, const HeldLock& b) { return a.start < b.start; });
  std::vector<HeldLock> merged;
  for (const HeldLock& piece : pieces) {
    if (!merged.empty() && merged.back().type == piece.type &&
        (Overlap(merged.back(), piece) || Adjacent(merged.back(), piece))) {
      merged.back().end = std::max(merged.back().end, piece.end);
      if (piece == request) merged.back().pid = request.pid;
      continue;
    }
    merged.push_back(piece);
  }
  return merged;
}

std::string DescribeLock(const HeldLock& lock) {
  std::string text = lock.type == rpc::LockType::WRITE  ? "write"
                     : lock.type == rpc::LockType::READ ? "read"
                                                        : "unlock";
  text += lock.kind == rpc::LockKind::FLOCK ? " flock" : " lock";
  text += " [" + std::to_string(lock.start) + ", " +
          (lock.end == kLockToEof ? std::string("EOF") : std::to_string(lock.end)) + "]";
  text += " of mount " + std::to_string(lock.mount_id) + " owner " + std::to_string(lock.owner);
  if (lock.pid > 0) text += " (pid " + std::to_string(lock.pid) + ")";
  return text;
}

}  // namespace tessera::master
