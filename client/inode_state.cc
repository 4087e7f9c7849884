#include "client/inode_state.h"

#include <algorithm>

namespace tessera::client {

void InodeState::NoteMasterSize(int64_t size) {
  std::lock_guard lock(mu_);
  master_size_ = size;
}

void InodeState::NoteWrite(int64_t end) {
  std::lock_guard lock(mu_);
  uncommitted_end_ = std::max(uncommitted_end_, end);
  ++generation_;
}

void InodeState::NoteCommitted(int64_t end, int64_t master_size) {
  std::lock_guard lock(mu_);
  master_size_ = master_size;
  // Writes beyond `end` (by another OpenFile of this inode) are still uncommitted.
  if (uncommitted_end_ <= end) uncommitted_end_ = 0;
}

void InodeState::NoteTruncated(int64_t size) {
  std::lock_guard lock(mu_);
  master_size_ = size;
  uncommitted_end_ = 0;
  ++generation_;
}

void InodeState::NoteRemoteChange(int64_t master_size) {
  std::lock_guard lock(mu_);
  master_size_ = master_size;
  ++generation_;
}

int64_t InodeState::VisibleSize() const {
  std::lock_guard lock(mu_);
  return std::max(master_size_, uncommitted_end_);
}

int64_t InodeState::LocalUncommittedEnd() const {
  std::lock_guard lock(mu_);
  return uncommitted_end_;
}

bool InodeState::HasUncommittedGrowth() const {
  std::lock_guard lock(mu_);
  return uncommitted_end_ > master_size_;
}

uint64_t InodeState::generation() const {
  std::lock_guard lock(mu_);
  return generation_;
}

void InodeState::AddWriter(const std::shared_ptr<PendingWriteSource>& writer) {
  std::lock_guard lock(mu_);
  writers_.push_back(writer);
}

std::vector<std::shared_ptr<PendingWriteSource>> InodeState::LiveWriters() const {
  std::lock_guard lock(mu_);
  std::vector<std::shared_ptr<PendingWriteSource>> live;
  auto dead = std::remove_if(writers_.begin(), writers_.end(), [&](const auto& weak) {
    auto writer = weak.lock();
    if (!writer) return true;
    live.push_back(std::move(writer));
    return false;
  });
  writers_.erase(dead, writers_.end());
  return live;
}

Status InodeState::FlushOverlapping(int64_t offset, int64_t length) {
  for (const auto& writer : LiveWriters()) {
    if (!writer->HasPendingData()) continue;
    RETURN_IF_ERROR(writer->FlushRange(offset, length));
  }
  return Status::Ok();
}

Status InodeState::FlushOthersOverlapping(const PendingWriteSource* self, int64_t offset,
                                          int64_t length) {
  for (const auto& writer : LiveWriters()) {
    if (writer.get() == self || !writer->HasPendingData()) continue;
    RETURN_IF_ERROR(writer->FlushRange(offset, length));
  }
  return Status::Ok();
}

Status InodeState::FlushAllWriters() {
  for (const auto& writer : LiveWriters()) RETURN_IF_ERROR(writer->Flush());
  return Status::Ok();
}

bool InodeState::HasPendingWrites() const {
  for (const auto& writer : LiveWriters()) {
    if (writer->HasPendingData()) return true;
  }
  return false;
}

std::shared_ptr<InodeState> InodeRegistry::GetOrCreate(int64_t inode, int64_t master_size) {
  std::lock_guard lock(mu_);
  for (auto it = states_.begin(); it != states_.end();) {
    it = it->second.expired() ? states_.erase(it) : std::next(it);
  }
  auto& weak = states_[inode];
  auto state = weak.lock();
  if (!state) {
    state = std::make_shared<InodeState>(inode);
    state->NoteMasterSize(master_size);
    weak = state;
  }
  return state;
}

std::shared_ptr<InodeState> InodeRegistry::Find(int64_t inode) const {
  std::lock_guard lock(mu_);
  auto it = states_.find(inode);
  return it == states_.end() ? nullptr : it->second.lock();
}

std::vector<int64_t> InodeRegistry::OpenInodes() const {
  std::lock_guard lock(mu_);
  std::vector<int64_t> open;
  for (const auto& [inode, state] : states_) {
    if (!state.expired()) open.push_back(inode);
  }
  return open;
}

}  // namespace tessera::client
