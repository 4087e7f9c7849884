// XXH3-64 checksums of chunk data blocks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace tessera {

uint64_t Xxh3Checksum(std::span<const std::byte> data);
uint64_t Xxh3Checksum(const void* data, size_t length);

}  // namespace tessera
