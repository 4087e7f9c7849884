// KeyedMutex: one mutual-exclusion lock per key (an inode, a chunk id), made on first use and
// dropped when its last holder or waiter leaves, so memory follows the keys in use rather than
// every key ever seen.
//
// Why: a lock held across a slow step (an fsync'd log entry) must serialize only the callers
// that touch the same object; one mutex for all would serialize unrelated files.
//
// Thread-safety: thread-safe. map_mu_ guards the map and the reference counts and is never held
// while waiting for a key's own mutex. A KeyedMutex::Guard must not outlive its KeyedMutex.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace tessera {

class KeyedMutex {
 private:
  struct Entry {
    std::mutex mu;
    int users = 0;  // holders and waiters; guarded by KeyedMutex::map_mu_
  };

 public:
  // Holds the lock of one key until destroyed.
  class Guard {
   public:
    Guard(Guard&& other) noexcept;
    Guard(const Guard&) = delete;
    Guard& operator=(const Guard&) = delete;
    Guard& operator=(Guard&&) = delete;
    ~Guard();

   private:
    friend class KeyedMutex;
    Guard(KeyedMutex* owner, int64_t key, std::shared_ptr<Entry> entry);
    KeyedMutex* owner_;
    int64_t key_;
    std::shared_ptr<Entry> entry_;
  };

  KeyedMutex() = default;
  KeyedMutex(const KeyedMutex&) = delete;
  KeyedMutex& operator=(const KeyedMutex&) = delete;

  // Blocks until this caller holds `key`'s lock.
  [[nodiscard]] Guard Lock(int64_t key);

  // Keys with a holder or a waiter (for tests and metrics).
  size_t KeysInUse() const;

 private:
  void Unlock(int64_t key, const std::shared_ptr<Entry>& entry);

  mutable std::mutex map_mu_;  // guards entries_ and every Entry::users
  std::unordered_map<int64_t, std::shared_ptr<Entry>> entries_;
};

}  // namespace tessera
