#include "common/checksum.h"

#include <xxhash.h>

namespace tessera {

uint64_t Xxh3Checksum(std::span<const std::byte> data) {
  return XXH3_64bits(data.data(), data.size());
}

uint64_t Xxh3Checksum(const void* data, size_t length) { return XXH3_64bits(data, length); }

}  // namespace tessera
