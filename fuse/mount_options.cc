#include "fuse/mount_options.h"

#include <charconv>
#include <cmath>
#include <optional>
#include <string_view>
#include <utility>

#include "common/admin_routes.h"
#include "fuse/atime_rule.h"

namespace tessera::fuse {
namespace {

// Items of fstab's option field that are for mount(8), systemd or the reader of fstab.
bool IsFstabBookkeeping(std::string_view item) {
  static constexpr std::string_view kExact[] = {"defaults", "auto", "noauto", "user", "nouser",
                                                "users",    "owner", "group", "_netdev", "nofail"};
  for (std::string_view exact : kExact) {
    if (item == exact) return true;
  }
  return item.starts_with("x-") || item.starts_with("comment=");
}

// "name=value" split at the first '='; nullopt when there is none.
std::optional<std::pair<std::string_view, std::string_view>> SplitSetting(std::string_view item) {
  const size_t equals = item.find('=');
  if (equals == std::string_view::npos) return std::nullopt;
  return std::pair{item.substr(0, equals), item.substr(equals + 1)};
}

Result<double> ParseSeconds(std::string_view name, std::string_view text) {
  double seconds = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (error != std::errc() || end != text.data() + text.size() || !std::isfinite(seconds) ||
      seconds < 0 || seconds > 86400) {
    return Status::InvalidArgument("-o " + std::string(name) + "=" + std::string(text) +
                                   ": expected seconds between 0 and 86400");
  }
  return seconds;
}

// Each setting is kept in `flags` under the name of the long flag that also sets it.
class SettingApplier {
 public:
  SettingApplier(const std::set<std::string>& given_flags, MountFlags* flags)
      : given_flags_(given_flags), flags_(flags) {}

  // Whether `item` was one of Tessera's; an error when it was and its value is bad.
  Result<bool> Apply(std::string_view item) {
    if (std::optional<AtimeMode> bare = ParseAtimeMode(item)) {
      RETURN_IF_ERROR(Claim("atime", item));
      flags_->atime = *bare;
      return true;
    }
    const auto setting = SplitSetting(item);
    if (!setting) return false;
    const auto [name, value] = *setting;
    if (name == "attr_timeout" || name == "entry_timeout") {
      const bool attr = name == "attr_timeout";
      RETURN_IF_ERROR(Claim(attr ? "attr-timeout-s" : "entry-timeout-s", item));
      ASSIGN_OR_RETURN(double seconds, ParseSeconds(name, value));
      (attr ? flags_->attr_timeout_s : flags_->entry_timeout_s) = seconds;
      return true;
    }
    if (name == "atime") {
      RETURN_IF_ERROR(Claim("atime", item));
      std::optional<AtimeMode> mode = ParseAtimeMode(value);
      if (!mode) {
        return Status::InvalidArgument("-o " + std::string(item) +
                                       ": expected relatime, strictatime or noatime");
      }
      flags_->atime = *mode;
      return true;
    }
    if (name == "admin_port") {
      RETURN_IF_ERROR(Claim("admin-port", item));
      int64_t port = -1;
      const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), port);
      if (error != std::errc() || end != value.data() + value.size() || !ValidAdminPort(port)) {
        return Status::InvalidArgument("-o " + std::string(item) +
                                       ": expected 0 (off) or 1..65535");
      }
      flags_->admin_port = static_cast<int>(port);
      return true;
    }
    if (name == "log_file") {
      RETURN_IF_ERROR(Claim("log-file", item));
      if (value.empty()) return Status::InvalidArgument("-o log_file= names no file");
      flags_->log_file = std::string(value);
      return true;
    }
    if (name == "log_level") {
      RETURN_IF_ERROR(Claim("log-level", item));
      if (!ParseLogLevel(std::string(value), &flags_->log_level)) {
        return Status::InvalidArgument("-o " + std::string(item) +
                                       ": expected debug, info, warning or error");
      }
      return true;
    }
    return false;
  }

 private:
  // A setting may come once: from its flag or from one -o item.
  Status Claim(const std::string& flag, std::string_view item) {
    if (given_flags_.contains(flag)) {
      return Status::InvalidArgument("-o " + std::string(item) + " and --" + flag +
                                     " both set the same thing; give one");
    }
    if (!claimed_.insert(flag).second) {
      return Status::InvalidArgument("-o " + std::string(item) + ": --" + flag +
                                     " is already set by an earlier -o item");
    }
    return Status::Ok();
  }

  const std::set<std::string>& given_flags_;
  MountFlags* const flags_;
  std::set<std::string> claimed_;
};

}  // namespace

Status SortMountOptions(const std::set<std::string>& given_flags, MountFlags* flags) {
  SettingApplier applier(given_flags, flags);
  std::vector<std::string> for_libfuse;
  for (const std::string& item : flags->fuse_options) {
    if (IsFstabBookkeeping(item)) continue;
    ASSIGN_OR_RETURN(bool tessera_setting, applier.Apply(item));
    if (!tessera_setting) for_libfuse.push_back(item);
  }
  flags->fuse_options = std::move(for_libfuse);
  return Status::Ok();
}

}  // namespace tessera::fuse
