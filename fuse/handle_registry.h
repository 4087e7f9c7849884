// The handles (open files, directory snapshots) the kernel currently holds, owned here.
//
// fuse_file_info::fh carries a raw pointer to the kernel and back; the kernel answers each open
// with exactly one release — unless the mount goes away first, when queued releases are dropped.
// Owning every handle here lets the session's destroy flush and free what no release came for.
//
// Thread-safe: mu_ guards handles_. Adopt/Take are O(log n) and never block on I/O.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

namespace tessera::fuse {

template <typename Handle>
class HandleRegistry {
 public:
  // Keeps `handle` and returns the value for fuse_file_info::fh.
  uint64_t Adopt(std::unique_ptr<Handle> handle) {
    Handle* raw = handle.get();
    std::lock_guard lock(mu_);
    handles_.emplace(raw, std::move(handle));
    return static_cast<uint64_t>(reinterpret_cast<uintptr_t>(raw));
  }

  // Gives back ownership of the handle behind `fh` (release, or a failed reply); null when it
  // is not registered.
  std::unique_ptr<Handle> Take(uint64_t fh) {
    std::lock_guard lock(mu_);
    auto it = handles_.find(reinterpret_cast<Handle*>(static_cast<uintptr_t>(fh)));
    if (it == handles_.end()) return nullptr;
    std::unique_ptr<Handle> handle = std::move(it->second);
    handles_.erase(it);
    return handle;
  }

  // Every handle still registered, for the end of the session.
  std::vector<std::unique_ptr<Handle>> TakeAll() {
    std::lock_guard lock(mu_);
    std::vector<std::unique_ptr<Handle>> all;
    for (auto& [raw, handle] : handles_) all.push_back(std::move(handle));
    handles_.clear();
    return all;
  }

 private:
  std::mutex mu_;
  std::map<Handle*, std::unique_ptr<Handle>> handles_;  // guarded by mu_
};

}  // namespace tessera::fuse
