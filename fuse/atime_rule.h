// When a read of a file moves its access time: the mount's --atime mode, as Linux's mount
// options relatime (the default), strictatime and noatime define it. Pure; thread-safe.
//
// Cost: an update is a Raft log entry on the master, so the mount asks for one only when this
// rule says so, and at most once per open (fuse/file_ops.cc); under relatime that is about once
// per file change or per day, not once per read.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "gen-cpp/tessera_types.h"

namespace tessera::fuse {

enum class AtimeMode {
  kRelatime,     // update when atime <= mtime or atime <= ctime, or atime is 24 h old or more
  kStrictatime,  // update on every read (at most once per open here)
  kNoatime,      // never update on reads
};

// One day: relatime's bound on how stale an atime may get on a file read but never changed.
inline constexpr int64_t kRelatimeMaxAgeNs = 24LL * 3600 * 1'000'000'000;

// "relatime", "strictatime" or "noatime"; nullopt for anything else.
std::optional<AtimeMode> ParseAtimeMode(std::string_view text);
std::string_view AtimeModeName(AtimeMode mode);

// Whether a read now (`now_ns`, wall clock) of a file with these attributes moves its atime.
bool AtimeUpdateDue(AtimeMode mode, const rpc::Attr& attr, int64_t now_ns);

}  // namespace tessera::fuse
