// The workload's operations on the mount, as plain POSIX calls. Each returns the journal result
// of the call: "ok", "mismatch" or "stage:errno" (see workload_journal.h).
// Thread-safe (no shared state); paths are absolute.
#pragma once

#include <cstdint>
#include <string>

namespace tessera::fault {

// open(O_CREAT|O_EXCL|O_WRONLY), write FileContent(content_id, size), close.
std::string CreateFile(const std::string& path, uint64_t content_id, int64_t size);
// open, read to the end, close; "mismatch" unless it holds exactly FileContent(...).
std::string ReadFile(const std::string& path, uint64_t content_id, int64_t size);
std::string MakeDirectory(const std::string& path);
std::string RenameFile(const std::string& from, const std::string& to);
std::string UnlinkFile(const std::string& path);

}  // namespace tessera::fault
