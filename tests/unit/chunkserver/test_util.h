// Helpers shared by the chunk server unit tests: temporary directories, an in-memory FileIo
// with fault injection, byte helpers, free loopback ports and a manual clock.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <mutex>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "chunkserver/file_io.h"
#include "common/clock.h"

namespace tessera::testing {

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "tessera-cs-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// The bytes of an in-memory file, shared between the test and the FileIo it hands out.
struct MemoryFile {
  std::mutex mu;
  std::string bytes;       // guarded by mu
  bool fail_writes = false;  // guarded by mu
};

class MemoryFileIo final : public FileIo {
 public:
  explicit MemoryFileIo(std::shared_ptr<MemoryFile> file) : file_(std::move(file)) {}

  Result<size_t> ReadAt(int64_t offset, std::span<std::byte> out) override {
    std::lock_guard lock(file_->mu);
    if (offset >= static_cast<int64_t>(file_->bytes.size())) return size_t{0};
    size_t n = std::min(out.size(), file_->bytes.size() - offset);
    std::memcpy(out.data(), file_->bytes.data() + offset, n);
    return n;
  }
  Status WriteAt(int64_t offset, std::span<const std::byte> data) override {
    std::lock_guard lock(file_->mu);
    if (file_->fail_writes) return Status::IoError("injected write failure");
    if (file_->bytes.size() < offset + data.size()) file_->bytes.resize(offset + data.size());
    std::memcpy(file_->bytes.data() + offset, data.data(), data.size());
    return Status::Ok();
  }
  Status Sync() override { return Status::Ok(); }

 private:
  std::shared_ptr<MemoryFile> file_;
};

inline std::span<const std::byte> Bytes(const std::string& s) {
  return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}

inline std::string RandomBytes(size_t size, uint32_t seed) {
  std::mt19937 random(seed);
  std::string out(size, '\0');
  for (char& c : out) c = static_cast<char>(random() & 0xff);
  return out;
}

// A port on 127.0.0.1 that was free a moment ago (bound to port 0, then released).
inline int FreeLoopbackPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

// The names in `dir` (empty when it does not exist).
inline std::vector<std::string> FilesIn(const std::string& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    names.push_back(it->path().filename().string());
  }
  return names;
}

// A clock that moves only when told to. Thread-safe.
class ManualClock final : public Clock {
 public:
  int64_t NowUnixNanos() const override { return kUnixOrigin + NowMonotonicNanos(); }
  int64_t NowMonotonicNanos() const override { return monotonic_ns_.load(); }
  void Advance(std::chrono::nanoseconds by) { monotonic_ns_ += by.count(); }

 private:
  static constexpr int64_t kUnixOrigin = 1'700'000'000'000'000'000;
  std::atomic<int64_t> monotonic_ns_{1'000'000'000};
};

}  // namespace tessera::testing
