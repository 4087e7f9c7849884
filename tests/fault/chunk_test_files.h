// Files of random content written through a mount, remembered by their SHA-256 (whole file and
// each 64 MiB chunk), so that a test can tell later, through the mount or straight from the
// chunk files on disk, that not a byte changed. Only digests are kept, never the data.
//
// Thread-safety: pure functions and values; nothing is shared.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace tessera::fault {

// Incremental SHA-256 (OpenSSL EVP). Not copyable; Hex() ends it.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void Update(std::string_view bytes);
  // Lowercase hex of the digest. REQUIRES: called once.
  std::string Hex();

 private:
  void* context_;  // EVP_MD_CTX, kept out of this header
};

struct WrittenFile {
  std::string path;
  int64_t size = 0;
  std::string sha256;
  // chunk_sha256[i]: digest of bytes [i * 64 MiB, min((i + 1) * 64 MiB, size)).
  std::vector<std::string> chunk_sha256;
};

// Creates `path` with `size` bytes from a PRNG seeded with `seed`, written in 1 MiB pieces, then
// fsync() and close(), which return only when every replica holds the data.
Result<WrittenFile> WriteRandomFile(const std::string& path, int64_t size, uint64_t seed);

// SHA-256 of the whole file, read in 4 MiB pieces.
Result<std::string> Sha256OfFile(const std::string& path);

// sync(), then drops the kernel's page, dentry and inode caches, so that the next read of a
// file on a mount goes to the file system again. Needs root.
Status DropPageCache();

}  // namespace tessera::fault
