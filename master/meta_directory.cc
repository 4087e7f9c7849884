#include "master/meta_directory.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <optional>
#include <system_error>
#include <vector>

namespace tessera::master {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kPointerName = "META_CURRENT";
constexpr std::string_view kPointerTempName = "META_CURRENT.tmp";
constexpr std::string_view kLegacyName = "meta";
constexpr std::string_view kGenerationPrefix = "meta.";
// A pointer file is one short line; anything longer is not one.
constexpr size_t kMaxPointerBytes = 64;

std::string GenerationName(uint64_t generation) {
  return std::string(kGenerationPrefix) + std::to_string(generation);
}

// The generation a directory name "meta.<N>" stands for; only the canonical spelling counts.
std::optional<uint64_t> ParseGenerationName(std::string_view name) {
  if (!name.starts_with(kGenerationPrefix)) return std::nullopt;
  std::string_view digits = name.substr(kGenerationPrefix.size());
  uint64_t generation = 0;
  auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), generation);
  if (error != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  if (GenerationName(generation) != name) return std::nullopt;  // "meta.007", "meta.+1"
  return generation;
}

Status ErrnoStatus(std::string_view what, const fs::path& path, int error) {
  return Status::IoError(std::string(what) + " " + path.string() + ": " + std::strerror(error));
}

Status FsError(std::string_view what, const fs::path& path, const std::error_code& error) {
  return Status::IoError(std::string(what) + " " + path.string() + ": " + error.message());
}

// fsync of a file or directory, so that its content (a file) or its entries (a directory)
// survive a crash.
Status SyncPath(const fs::path& path, bool directory) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | (directory ? O_DIRECTORY : 0));
  if (fd < 0) return ErrnoStatus("open", path, errno);
  int rc = ::fsync(fd);
  int error = errno;
  ::close(fd);
  if (rc != 0) return ErrnoStatus("fsync", path, error);
  return Status::Ok();
}

Status WriteFileDurably(const fs::path& path, std::string_view content) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoStatus("create", path, errno);
  ssize_t written = ::write(fd, content.data(), content.size());
  int error = errno;
  if (written != static_cast<ssize_t>(content.size())) {
    ::close(fd);
    return written < 0 ? ErrnoStatus("write", path, error)
                       : Status::IoError("short write to " + path.string());
  }
  int rc = ::fsync(fd);
  error = errno;
  ::close(fd);
  if (rc != 0) return ErrnoStatus("fsync", path, error);
  return Status::Ok();
}

// The generation META_CURRENT names.
Result<uint64_t> ReadPointer(const fs::path& pointer) {
  std::ifstream in(pointer, std::ios::binary);
  if (!in) return Status::IoError("cannot read " + pointer.string());
  std::string content(kMaxPointerBytes + 1, '\0');
  in.read(content.data(), static_cast<std::streamsize>(content.size()));
  content.resize(static_cast<size_t>(in.gcount()));
  if (in.bad()) return Status::IoError("cannot read " + pointer.string());
  std::optional<uint64_t> generation;
  if (content.size() <= kMaxPointerBytes && content.ends_with('\n')) {
    generation = ParseGenerationName(std::string_view(content).substr(0, content.size() - 1));
  }
  if (!generation) return Status::Corruption(pointer.string() + " does not name a generation");
  return *generation;
}

}  // namespace

Result<MetaDirectory> MetaDirectory::Open(const std::string& data_dir) {
  fs::path dir = fs::path(data_dir).lexically_normal();
  if (!dir.has_filename()) dir = dir.parent_path();  // "data/" -> "data"
  std::error_code error;
  fs::create_directories(dir, error);
  if (error) return FsError("create", dir, error);

  fs::path pointer = dir / kPointerName;
  if (fs::exists(pointer, error)) {
    ASSIGN_OR_RETURN(uint64_t live, ReadPointer(pointer));
    MetaDirectory directory(dir, live);
    if (!fs::is_directory(directory.GenerationPath(live), error)) {
      return Status::Corruption(pointer.string() + " names missing " +
                                directory.GenerationPath(live).string());
    }
    RETURN_IF_ERROR(directory.RemoveStale());
    return directory;
  }
  if (error) return FsError("stat", pointer, error);

  // No pointer yet: a fresh DATA_DIR, an older version's DATA_DIR/meta, or a crash in between.
  MetaDirectory directory(dir, 0);
  fs::path first = directory.GenerationPath(0);
  fs::path legacy = dir / kLegacyName;
  if (fs::exists(legacy, error)) {
    if (fs::exists(first, error)) {
      return Status::Corruption("both " + legacy.string() + " and " + first.string() +
                                " exist without " + pointer.string());
    }
    fs::rename(legacy, first, error);
    if (error) return FsError("rename", legacy, error);
  } else {
    fs::create_directory(first, error);
    if (error) return FsError("create", first, error);
  }
  RETURN_IF_ERROR(SyncPath(dir, /*directory=*/true));
  RETURN_IF_ERROR(directory.WritePointer(0));
  RETURN_IF_ERROR(directory.RemoveStale());
  return directory;
}

std::string MetaDirectory::LivePath() const { return GenerationPath(live_).string(); }

Result<std::string> MetaDirectory::NewGenerationPath() {
  while (true) {
    fs::path path = GenerationPath(next_++);
    std::error_code error;
    // A directory that exists already is a leftover that RemoveStale has not reached: skip it.
    if (fs::create_directory(path, error)) return path.string();
    if (error) return FsError("create", path, error);
  }
}

Status MetaDirectory::Install(const std::string& path) {
  fs::path target = fs::path(path).lexically_normal();
  std::optional<uint64_t> generation = ParseGenerationName(target.filename().string());
  if (target.parent_path() != data_dir_ || !generation) {
    return Status::InvalidArgument(path + " is not a generation of " + data_dir_.string());
  }
  if (*generation == live_) return Status::InvalidArgument(path + " is live already");
  std::error_code error;
  if (!fs::is_directory(target, error)) return Status::InvalidArgument(path + " does not exist");
  // The database first, its directory entry next, the pointer last: once the pointer names
  // the generation, everything it holds is on disk.
  for (const fs::directory_entry& entry : fs::directory_iterator(target, error)) {
    if (entry.is_regular_file()) RETURN_IF_ERROR(SyncPath(entry.path(), /*directory=*/false));
  }
  if (error) return FsError("list", target, error);
  RETURN_IF_ERROR(SyncPath(target, /*directory=*/true));
  RETURN_IF_ERROR(SyncPath(data_dir_, /*directory=*/true));
  RETURN_IF_ERROR(WritePointer(*generation));
  live_ = *generation;
  next_ = std::max(next_, live_ + 1);
  return Status::Ok();
}

Status MetaDirectory::RemoveStale() {
  std::error_code error;
  std::vector<fs::path> stale;
  for (const fs::directory_entry& entry : fs::directory_iterator(data_dir_, error)) {
    std::string name = entry.path().filename().string();
    std::optional<uint64_t> generation = ParseGenerationName(name);
    if ((generation && *generation != live_) || name == kPointerTempName) {
      stale.push_back(entry.path());
    }
  }
  if (error) return FsError("list", data_dir_, error);
  for (const fs::path& path : stale) {
    fs::remove_all(path, error);
    if (error) return FsError("remove", path, error);
  }
  return Status::Ok();
}

fs::path MetaDirectory::GenerationPath(uint64_t generation) const {
  return data_dir_ / GenerationName(generation);
}

Status MetaDirectory::WritePointer(uint64_t generation) {
  fs::path temp = data_dir_ / kPointerTempName;
  RETURN_IF_ERROR(WriteFileDurably(temp, GenerationName(generation) + "\n"));
  std::error_code error;
  fs::rename(temp, data_dir_ / kPointerName, error);
  if (error) return FsError("rename", temp, error);
  return SyncPath(data_dir_, /*directory=*/true);
}

}  // namespace tessera::master
