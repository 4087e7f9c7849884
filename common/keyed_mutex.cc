#include "common/keyed_mutex.h"

#include <utility>

namespace tessera {

KeyedMutex::Guard::Guard(KeyedMutex* owner, int64_t key, std::shared_ptr<Entry> entry)
    : owner_(owner), key_(key), entry_(std::move(entry)) {}

KeyedMutex::Guard::Guard(Guard&& other) noexcept
    : owner_(other.owner_), key_(other.key_), entry_(std::move(other.entry_)) {}

KeyedMutex::Guard::~Guard() {
  if (entry_ != nullptr) owner_->Unlock(key_, entry_);
}

KeyedMutex::Guard KeyedMutex::Lock(int64_t key) {
  std::shared_ptr<Entry> entry;
  {
    std::lock_guard map_lock(map_mu_);
    std::shared_ptr<Entry>& slot = entries_[key];
    if (slot == nullptr) slot = std::make_shared<Entry>();
    ++slot->users;
    entry = slot;
  }
  // Waiting happens outside map_mu_, so other keys stay free meanwhile.
  entry->mu.lock();
  return Guard(this, key, std::move(entry));
}

void KeyedMutex::Unlock(int64_t key, const std::shared_ptr<Entry>& entry) {
  entry->mu.unlock();
  std::lock_guard map_lock(map_mu_);
  if (--entry->users == 0) entries_.erase(key);
}

size_t KeyedMutex::KeysInUse() const {
  std::lock_guard map_lock(map_mu_);
  return entries_.size();
}

}  // namespace tessera
