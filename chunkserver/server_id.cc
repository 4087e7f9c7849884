#include "chunkserver/server_id.h"

#include <charconv>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "chunkserver/file_io.h"
#include "common/logging.h"

namespace tessera {
namespace {

constexpr char kServerIdFile[] = "server_id";

// kNotFound when the file does not exist.
Result<int64_t> ReadServerId(const std::string& dir) {
  std::string path = dir + "/" + kServerIdFile;
  std::ifstream in(path);
  if (!in) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec) && !ec) return Status::NotFound(path);
    return Status::IoError("cannot read " + path);
  }
  std::stringstream text;
  text << in.rdbuf();
  std::string s = text.str();
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  int64_t id = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), id);
  if (ec != std::errc() || end != s.data() + s.size() || id <= 0) {
    return Status::Corruption(path + " does not hold a positive server id: '" + s + "'");
  }
  return id;
}

Status WriteServerId(const std::string& dir, int64_t id) {
  std::string path = dir + "/" + kServerIdFile;
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << id << "\n";
    out.flush();
    if (!out) return Status::IoError("cannot write " + tmp);
  }
  ASSIGN_OR_RETURN(auto io, OpenPosixFile(tmp, OpenMode::kReadWrite));
  RETURN_IF_ERROR(io->Sync());
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return Status::IoError("cannot rename " + tmp + ": " + ec.message());
  return SyncDirectory(dir);
}

int64_t NewServerId() {
  std::random_device random;
  std::uniform_int_distribution<int64_t> dist(1, INT64_MAX);
  return dist(random);
}

}  // namespace

Result<int64_t> LoadOrCreateServerId(const std::vector<std::string>& data_dirs) {
  int64_t id = 0;
  std::vector<std::string> missing;
  for (const std::string& dir : data_dirs) {
    Result<int64_t> found = ReadServerId(dir);
    if (!found.ok()) {
      if (found.status().code() != StatusCode::kNotFound) return found.status();
      missing.push_back(dir);
      continue;
    }
    if (id != 0 && *found != id) {
      return Status::Corruption("data directories belong to different servers (" +
                                std::to_string(id) + " vs " + std::to_string(*found) + " in " +
                                dir + ")");
    }
    id = *found;
  }
  if (id == 0) {
    id = NewServerId();
    LOG(kInfo, "chunkserver") << "created server id " << id;
  }
  for (const std::string& dir : missing) {
    RETURN_IF_ERROR(WriteServerId(dir, id));
    LOG(kInfo, "chunkserver") << "wrote server id " << id << " to " << dir;
  }
  return id;
}

}  // namespace tessera
