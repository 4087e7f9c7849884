#include "client/readahead.h"

#include <algorithm>
#include <cstring>

#include "common/logging.h"

namespace tessera::client {

size_t Readahead::Serve(int64_t offset, std::span<std::byte> out, uint64_t generation) {
  std::unique_lock lock(mu_);
  fetch_done_.wait(lock,
                   [&] { return !fetching_ || offset < fetch_offset_ || offset >= fetch_end_; });
  if (window_generation_ != generation || offset < window_offset_ || offset >= WindowEnd()) {
    return 0;
  }
  size_t count = std::min<size_t>(out.size(), static_cast<size_t>(WindowEnd() - offset));
  std::memcpy(out.data(), window_.data() + (offset - window_offset_), count);
  return count;
}

void Readahead::Advance(int64_t end, int64_t file_size, uint64_t generation) {
  std::lock_guard lock(mu_);
  consumed_end_ = end;
  if (fetching_) return;
  int64_t start = end;
  if (window_generation_ == generation && window_offset_ <= end && end <= WindowEnd()) {
    if (WindowEnd() - end >= window_bytes_ / 2) return;
    start = WindowEnd();
  }
  int64_t stop = std::min(end + window_bytes_, file_size);
  if (stop <= start) return;
  fetching_ = true;
  fetch_offset_ = start;
  fetch_end_ = stop;
  pool_.Submit([self = shared_from_this(), start, stop, generation] {
    self->RunFetch(start, stop - start, generation);
  });
}

void Readahead::RunFetch(int64_t offset, int64_t length, uint64_t generation) {
  std::string data(static_cast<size_t>(length), '\0');
  Status status = fetch_(offset, std::as_writable_bytes(std::span(data.data(), data.size())));
  std::lock_guard lock(mu_);
  fetching_ = false;
  if (!status.ok()) {
    // Not an error for anyone: the reader will read these bytes itself.
    LOG(kDebug, "client") << "readahead at " << offset << " failed: " << status.ToString();
  } else if (window_generation_ == generation && WindowEnd() == offset &&
             consumed_end_ >= window_offset_ && consumed_end_ <= WindowEnd()) {
    window_.erase(0, static_cast<size_t>(consumed_end_ - window_offset_));
    window_offset_ = consumed_end_;
    window_ += data;
  } else {
    window_offset_ = offset;
    window_ = std::move(data);
    window_generation_ = generation;
  }
  fetch_done_.notify_all();
}

}  // namespace tessera::client
