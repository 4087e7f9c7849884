#include "tests/fault/chunk_test_files.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <random>
#include <utility>

#include "common/names.h"

namespace tessera::fault {
namespace {

constexpr int64_t kWritePiece = int64_t{1} << 20;
constexpr int64_t kReadPiece = int64_t{4} << 20;

Status Errno(const std::string& what, const std::string& path) {
  return Status::IoError(what + " " + path + ": " + strerror(errno));
}

// Closes the descriptor on every path out of WriteRandomFile; close() itself is checked there.
class Descriptor {
 public:
  explicit Descriptor(int fd) : fd_(fd) {}
  ~Descriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  int get() const { return fd_; }
  int Release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

}  // namespace

Sha256::Sha256() : context_(EVP_MD_CTX_new()) {
  EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(context_), EVP_sha256(), nullptr);
}

Sha256::~Sha256() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(context_)); }

void Sha256::Update(std::string_view bytes) {
  EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(context_), bytes.data(), bytes.size());
}

std::string Sha256::Hex() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(context_), digest, &length);
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) {
    char byte[3];
    std::snprintf(byte, sizeof(byte), "%02x", digest[i]);
    hex += byte;
  }
  return hex;
}

Result<WrittenFile> WriteRandomFile(const std::string& path, int64_t size, uint64_t seed) {
  Descriptor fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644));
  if (fd.get() < 0) return Errno("create", path);
  WrittenFile file;
  file.path = path;
  file.size = size;
  std::mt19937_64 random(seed);
  Sha256 whole;
  std::unique_ptr<Sha256> chunk;
  std::string piece;
  for (int64_t offset = 0; offset < size; offset += kWritePiece) {
    // Pieces never straddle a chunk boundary: 64 MiB is a multiple of the piece size.
    if (offset % kChunkSize == 0) {
      if (chunk) file.chunk_sha256.push_back(chunk->Hex());
      chunk = std::make_unique<Sha256>();
    }
    piece.resize(std::min(kWritePiece, size - offset));
    for (size_t i = 0; i < piece.size(); i += sizeof(uint64_t)) {
      const uint64_t word = random();
      std::memcpy(piece.data() + i, &word, std::min(sizeof(word), piece.size() - i));
    }
    whole.Update(piece);
    chunk->Update(piece);
    for (size_t done = 0; done < piece.size();) {
      ssize_t wrote = ::write(fd.get(), piece.data() + done, piece.size() - done);
      if (wrote < 0 && errno == EINTR) continue;
      if (wrote <= 0) return Errno("write", path);
      done += static_cast<size_t>(wrote);
    }
  }
  if (chunk) file.chunk_sha256.push_back(chunk->Hex());
  file.sha256 = whole.Hex();
  if (::fsync(fd.get()) != 0) return Errno("fsync", path);
  if (::close(fd.Release()) != 0) return Errno("close", path);
  return file;
}

Result<std::string> Sha256OfFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Errno("open", path);
  Sha256 digest;
  std::string piece(kReadPiece, '\0');
  while (in) {
    in.read(piece.data(), static_cast<std::streamsize>(piece.size()));
    digest.Update(std::string_view(piece.data(), static_cast<size_t>(in.gcount())));
  }
  if (!in.eof()) return Errno("read", path);
  return digest.Hex();
}

Status DropPageCache() {
  ::sync();
  std::ofstream drop("/proc/sys/vm/drop_caches");
  drop << "3\n";
  drop.flush();
  if (!drop) return Status::IoError("cannot write /proc/sys/vm/drop_caches (not root?)");
  return Status::Ok();
}

}  // namespace tessera::fault
