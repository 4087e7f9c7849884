#include "chunkserver/chunk_scrubber.h"

#include <algorithm>

#include "common/logging.h"

namespace tessera {
namespace {
constexpr char kComponent[] = "chunkserver";
}  // namespace

ChunkScrubber::ChunkScrubber(ChunkStore* store, ScrubOptions options, const Clock* clock,
                             WaitFunction wait)
    : store_(store),
      options_(options),
      clock_(clock),
      wait_(std::move(wait)),
      bucket_(options.bytes_per_second, options.piece_bytes, clock) {}

ChunkScrubber::~ChunkScrubber() { Stop(); }

void ChunkScrubber::Start() {
  LOG(kInfo, kComponent) << "scrubber started: " << options_.bytes_per_second
                         << " bytes/s, pieces of " << options_.piece_bytes << " bytes, "
                         << options_.pause_between_passes.count() << " ms between passes";
  thread_ = std::thread([this] { Run(); });
}

void ChunkScrubber::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool ChunkScrubber::WaitOrStop(std::chrono::nanoseconds delay) {
  if (wait_) return wait_(delay);
  std::unique_lock lock(mu_);
  if (delay <= std::chrono::nanoseconds(0)) return !stopping_;
  return !wake_.wait_for(lock, delay, [this] { return stopping_; });
}

void ChunkScrubber::Run() {
  while (RunPass() && WaitOrStop(options_.pause_between_passes)) {
  }
  LOG(kInfo, kComponent) << "scrubber stopped after " << passes_.load() << " passes";
}

bool ChunkScrubber::ScrubChunk(const ChunkRecord& chunk, int64_t* bytes, bool* corrupt) {
  int64_t offset = 0;
  // At least one call per chunk, so that the header of an empty chunk is checked too.
  do {
    const int64_t want =
        std::max<int64_t>(1, std::min(options_.piece_bytes, chunk.length - offset));
    if (!WaitOrStop(bucket_.Take(want))) return false;
    Result<int64_t> verified = store_->Verify(chunk.chunk_id, offset, want);
    if (!verified.ok()) {
      switch (verified.status().code()) {
        case StatusCode::kNotFound:
          return true;  // deleted meanwhile: nothing to verify
        case StatusCode::kCorruption:
          ++corrupt_found_;  // the store logged it and set the chunk aside
          *corrupt = true;
          return true;
        default:
          ++failed_;
          LOG(kWarning, kComponent) << "scrubber cannot verify chunk " << chunk.chunk_id << ": "
                                    << verified.status().ToString();
          return true;
      }
    }
    if (*verified == 0) break;  // the chunk is shorter now than when it was listed
    offset += *verified;
    *bytes += *verified;
    bytes_verified_ += *verified;
  } while (offset < chunk.length);
  ++chunks_verified_;
  return true;
}

bool ChunkScrubber::RunPass() {
  const int64_t started_ns = clock_->NowMonotonicNanos();
  std::vector<ChunkRecord> chunks = store_->ListChunks();
  int64_t bytes = 0;
  int64_t corrupt = 0;
  for (const ChunkRecord& chunk : chunks) {
    bool found_corrupt = false;
    if (!ScrubChunk(chunk, &bytes, &found_corrupt)) return false;
    corrupt += found_corrupt ? 1 : 0;
  }
  ++passes_;
  const double seconds = static_cast<double>(clock_->NowMonotonicNanos() - started_ns) / 1e9;
  LOG(kInfo, kComponent) << "scrub pass " << passes_.load() << " done: " << chunks.size()
                         << " chunks, " << bytes << " bytes, " << corrupt << " corrupt, " << seconds
                         << " s";
  return true;
}

ScrubCounters ChunkScrubber::counters() const {
  ScrubCounters counters;
  counters.passes = passes_.load();
  counters.chunks_verified = chunks_verified_.load();
  counters.bytes_verified = bytes_verified_.load();
  counters.corrupt_found = corrupt_found_.load();
  counters.failed = failed_.load();
  return counters;
}

}  // namespace tessera
