#include "tests/fault/file_content.h"

namespace tessera::fault {
namespace {

// SplitMix64: a fast generator whose whole state is one number, enough for test data.
uint64_t NextRandom(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

}  // namespace

int64_t ContentSize(uint64_t content_id) {
  uint64_t state = content_id * 31 + 7;
  return 1 + static_cast<int64_t>(NextRandom(state) % (16 * 1024));
}

std::string FileContent(uint64_t content_id, int64_t size) {
  std::string bytes;
  bytes.reserve(size);
  uint64_t state = content_id;
  while (static_cast<int64_t>(bytes.size()) < size) {
    uint64_t word = NextRandom(state);
    for (int i = 0; i < 8 && static_cast<int64_t>(bytes.size()) < size; ++i) {
      bytes.push_back(static_cast<char>(word >> (8 * i)));
    }
  }
  return bytes;
}

}  // namespace tessera::fault
