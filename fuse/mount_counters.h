// What tessera-mount decided about caches and access times since it mounted, logged in one
// line when the session ends (and per decision at debug level). Thread-safe: every field is an
// atomic counter, bumped with relaxed order (they order nothing).
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

namespace tessera::fuse {

struct MountCounters {
  std::atomic<uint64_t> opens_cache_kept{0};     // the file had not changed: pages kept
  std::atomic<uint64_t> opens_cache_dropped{0};  // changed or never cached here: pages dropped
  std::atomic<uint64_t> read_requests{0};        // reads the kernel could not serve from cache
  std::atomic<uint64_t> atime_updates{0};        // touchAtime sent (the atime rule said so)
  std::atomic<uint64_t> atime_update_failures{0};
  std::atomic<uint64_t> bytes_read{0};     // returned to reads the kernel sent here
  std::atomic<uint64_t> bytes_written{0};  // accepted from writes (appends included)
  std::atomic<uint64_t> write_requests{0};
  std::atomic<uint64_t> io_errors{0};  // reads and writes answered with an error

  std::string Summary() const {
    return "opens keeping the page cache " + std::to_string(opens_cache_kept.load()) +
           ", dropping it " + std::to_string(opens_cache_dropped.load()) + ", read requests " +
           std::to_string(read_requests.load()) + ", atime updates " +
           std::to_string(atime_updates.load()) + " (" +
           std::to_string(atime_update_failures.load()) + " failed)";
  }
};

}  // namespace tessera::fuse
