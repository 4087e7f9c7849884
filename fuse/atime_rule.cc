#include "fuse/atime_rule.h"

namespace tessera::fuse {

std::optional<AtimeMode> ParseAtimeMode(std::string_view text) {
  if (text == "relatime") return AtimeMode::kRelatime;
  if (text == "strictatime") return AtimeMode::kStrictatime;
  if (text == "noatime") return AtimeMode::kNoatime;
  return std::nullopt;
}

std::string_view AtimeModeName(AtimeMode mode) {
  switch (mode) {
    case AtimeMode::kRelatime:
      return "relatime";
    case AtimeMode::kStrictatime:
      return "strictatime";
    case AtimeMode::kNoatime:
      return "noatime";
  }
  return "unknown";
}

bool AtimeUpdateDue(AtimeMode mode, const rpc::Attr& attr, int64_t now_ns) {
  switch (mode) {
    case AtimeMode::kNoatime:
      return false;
    case AtimeMode::kStrictatime:
      return true;
    case AtimeMode::kRelatime:
      // Linux's relatime_need_update: the file changed since it was last read, or the last
      // read is a day old (so "was this read since ..." tools keep working).
      return attr.atime_ns <= attr.mtime_ns || attr.atime_ns <= attr.ctime_ns ||
             now_ns - attr.atime_ns >= kRelatimeMaxAgeNs;
  }
  return false;
}

}  // namespace tessera::fuse
