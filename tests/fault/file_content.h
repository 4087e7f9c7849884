// The bytes the workload writes into a file it creates: a pure function of a content id, so
// that the checker can tell exactly what every file must hold without a copy of the data.
// Thread-safe (pure functions).
#pragma once

#include <cstdint>
#include <string>

namespace tessera::fault {

// Between 1 byte and 16 KiB, spread so that some files end inside and some past a 4 KiB page.
int64_t ContentSize(uint64_t content_id);
std::string FileContent(uint64_t content_id, int64_t size);

}  // namespace tessera::fault
