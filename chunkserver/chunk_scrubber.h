// The background scrubber: verifies every block of every chunk against its XXH3-64 checksum at a
// bounded byte rate, pass after pass, so that bytes that rot on a disk nobody reads are found and
// repaired while good copies still exist.
//
// A pass lists the chunks (by id), verifies each in pieces of `piece_bytes` through
// ChunkStore::Verify, which holds the chunk's read lock for one piece only: a client write to the
// chunk waits at most one piece. A corrupt chunk is set aside and reported removed by the store
// (which logs it; the master then copies it from a good replica); a chunk whose data dir fails
// takes the dir out of service. Chunks created during a pass wait for the next one. Each pass
// ends with one log line (chunks, bytes, corrupt, seconds); then the scrubber pauses for
// `pause_between_passes` and starts again.
//
// The rate is a TokenBucket with a burst of one piece: tokens for a piece are taken before it is
// read, and the wait they ask for is slept out.
//
// Threading: Start() launches the one scrubber thread; Stop() wakes it from any wait and joins
// it (a piece being verified is finished first). RunPass() runs one pass on the caller's thread
// (tests). counters() is thread-safe. The store and the clock must outlive the scrubber.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>

#include "chunkserver/chunk_store.h"
#include "chunkserver/token_bucket.h"
#include "common/clock.h"

namespace tessera {

struct ScrubOptions {
  int64_t bytes_per_second = 8'000'000;    // REQUIRES: > 0 (a disabled scrubber is not started)
  int64_t piece_bytes = int64_t{1} << 20;  // REQUIRES: > 0
  std::chrono::milliseconds pause_between_passes{30'000};
};

struct ScrubCounters {
  int64_t passes = 0;           // finished passes
  int64_t chunks_verified = 0;  // chunks whose every block matched
  int64_t bytes_verified = 0;   // data bytes verified, in every chunk
  int64_t corrupt_found = 0;    // chunks found corrupt (and set aside by the store)
  int64_t failed = 0;           // chunks that could not be verified (their data dir failed, ...)
};

class ChunkScrubber {
 public:
  // How the scrubber waits; returns false when it must stop. Tests pass one that advances a
  // fake clock and records the wait.
  using WaitFunction = std::function<bool(std::chrono::nanoseconds)>;

  // An empty `wait` sleeps on the clock of the system, interrupted by Stop().
  ChunkScrubber(ChunkStore* store, ScrubOptions options, const Clock* clock,
                WaitFunction wait = nullptr);
  ~ChunkScrubber();
  ChunkScrubber(const ChunkScrubber&) = delete;
  ChunkScrubber& operator=(const ChunkScrubber&) = delete;

  void Start();
  void Stop();

  // One whole pass over the chunks listed now. False when it stopped early (Stop()).
  bool RunPass();

  ScrubCounters counters() const;

 private:
  // The scrubber thread: passes separated by pauses, until Stop().
  void Run();
  // Verifies one chunk in pieces. False when stopping.
  bool ScrubChunk(const ChunkRecord& chunk, int64_t* bytes, bool* corrupt);
  // Waits interruptibly; false when stopping.
  bool WaitOrStop(std::chrono::nanoseconds delay);

  ChunkStore* const store_;
  const ScrubOptions options_;
  const Clock* const clock_;
  const WaitFunction wait_;
  TokenBucket bucket_;

  std::atomic<int64_t> passes_{0};
  std::atomic<int64_t> chunks_verified_{0};
  std::atomic<int64_t> bytes_verified_{0};
  std::atomic<int64_t> corrupt_found_{0};
  std::atomic<int64_t> failed_{0};

  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace tessera
