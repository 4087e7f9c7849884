#include "fuse/mount_flags.h"

#include "common/admin_routes.h"
#include "fuse/mount_options.h"

#include <boost/program_options.hpp>
#include <cmath>
#include <exception>
#include <optional>
#include <set>
#include <sstream>

namespace tessera::fuse {
namespace {

namespace po = boost::program_options;

// A timeout the kernel can use: finite and not negative. One day is far beyond any sensible
// cache lifetime for a shared file system, and keeps the value clear of double->time overflow.
Status ValidateTimeout(const char* flag, double seconds) {
  if (!std::isfinite(seconds) || seconds < 0 || seconds > 86400) {
    return Status::InvalidArgument(std::string("--") + flag + " must be between 0 and 86400");
  }
  return Status::Ok();
}

void AppendCommaSeparated(const std::string& text, std::vector<std::string>* out) {
  std::stringstream stream(text);
  std::string item;
  while (std::getline(stream, item, ',')) {
    if (!item.empty()) out->push_back(item);
  }
}

po::options_description NamedOptions() {
  po::options_description options("Options");
  options.add_options()("help,h", "print this help and exit")(
      "masters", po::value<std::string>(), "master addresses H:P[,H:P...] (required)")(
      "foreground,f", "stay in the foreground (logs go to stderr)")(
      "options,o", po::value<std::vector<std::string>>()->composing(),
      "FUSE mount options, comma-separated (e.g. allow_other)")(
      "attr-timeout-s", po::value<double>()->default_value(1.0),
      "seconds the kernel may cache attributes")("entry-timeout-s",
                                                 po::value<double>()->default_value(1.0),
                                                 "seconds the kernel may cache names")(
      "atime", po::value<std::string>()->default_value("relatime"),
      "when reads move a file's access time: relatime (when atime <= mtime or ctime, or a day "
      "old), strictatime (every open that reads) or noatime (never)")(
      "admin-port", po::value<int64_t>()->default_value(0),
      "HTTP admin port on 127.0.0.1: /metrics, /status, /healthz (0: off)")(
      "log-level", po::value<std::string>()->default_value("info"),
      "debug, info, warning or error")(
      "log-file", po::value<std::string>(),
      "append log lines to this file (default: stderr, which is lost in the background)")(
      "verbose,v", "log the settings the mount starts with (mount -v passes it)")(
      "no-mtab,n", "accepted for mount(8), which passes it; there is no mtab to write");
  return options;
}

}  // namespace

std::string MountUsage() {
  std::ostringstream text;
  text << "Usage: tessera-mount --masters H:P[,H:P...] [options] MOUNTPOINT\n"
       << "       tessera-mount MASTERS MOUNTPOINT [-o OPTS]   (mount -t fuse.tessera, fstab)\n"
       << NamedOptions()
       << "\n-o takes FUSE options (allow_other, ro, ...) and, for mount(8) and /etc/fstab,\n"
          "attr_timeout=S, entry_timeout=S, atime=MODE (or noatime, relatime, strictatime),\n"
          "admin_port=N, log_level=L and log_file=PATH in place of the flags; fstab's own\n"
          "items (_netdev, nofail, defaults, noauto, x-systemd.*, ...) are ignored. fstab line:\n"
          "  10.0.0.1:9400,10.0.0.2:9400,10.0.0.3:9400 /mnt/tessera fuse.tessera "
          "_netdev,nofail,allow_other 0 0\n"
       << "\nCaching: each open asks the master for the file's attributes and keeps the kernel's\n"
          "cached pages only when size, mtime and ctime are unchanged (a change by any client is\n"
          "seen at the next open). Attributes and names seen through stat and lookups may be up\n"
          "to --attr-timeout-s / --entry-timeout-s old; 0 turns those caches off. Permissions are\n"
          "checked by the kernel (default_permissions) and again by the master.\n";
  return text.str();
}

Result<MountFlags> ParseMountFlags(int argc, const char* const* argv) {
  po::options_description hidden;
  hidden.add_options()("positional", po::value<std::vector<std::string>>(), "");
  po::options_description all;
  all.add(NamedOptions()).add(hidden);
  po::positional_options_description positional;
  positional.add("positional", -1);

  po::variables_map values;
  try {
    po::store(po::command_line_parser(argc, argv).options(all).positional(positional).run(),
              values);
    po::notify(values);
  } catch (const std::exception& error) {
    return Status::InvalidArgument(error.what());
  }

  MountFlags flags;
  if (values.count("help")) {
    flags.show_help = true;
    return flags;
  }

  std::vector<std::string> positionals;
  if (values.count("positional")) positionals = values["positional"].as<std::vector<std::string>>();
  std::string masters_text;
  if (values.count("masters")) masters_text = values["masters"].as<std::string>();
  if (positionals.size() == 2 && masters_text.empty()) {
    // mount.fuse3 form: the "device" field of fstab/mount names the masters.
    masters_text = positionals[0];
    flags.mountpoint = positionals[1];
  } else if (positionals.size() == 1) {
    flags.mountpoint = positionals[0];
  } else if (positionals.empty()) {
    return Status::InvalidArgument("missing MOUNTPOINT");
  } else {
    return Status::InvalidArgument("expected one MOUNTPOINT, got " +
                                   std::to_string(positionals.size()) + " positional arguments");
  }
  if (flags.mountpoint.empty()) return Status::InvalidArgument("MOUNTPOINT is empty");
  if (masters_text.empty()) return Status::InvalidArgument("--masters is required");

  Result<std::vector<HostPort>> masters = ParseHostPortList(masters_text);
  if (!masters.ok()) {
    return Status::InvalidArgument("bad --masters '" + masters_text +
                                   "': " + masters.status().message());
  }
  flags.masters = std::move(masters).value();

  flags.foreground = values.count("foreground") > 0;
  if (values.count("options")) {
    for (const std::string& text : values["options"].as<std::vector<std::string>>()) {
      AppendCommaSeparated(text, &flags.fuse_options);
    }
  }

  flags.attr_timeout_s = values["attr-timeout-s"].as<double>();
  flags.entry_timeout_s = values["entry-timeout-s"].as<double>();
  RETURN_IF_ERROR(ValidateTimeout("attr-timeout-s", flags.attr_timeout_s));
  RETURN_IF_ERROR(ValidateTimeout("entry-timeout-s", flags.entry_timeout_s));

  const std::string& atime = values["atime"].as<std::string>();
  std::optional<AtimeMode> atime_mode = ParseAtimeMode(atime);
  if (!atime_mode) {
    return Status::InvalidArgument("bad --atime '" + atime +
                                   "': expected relatime, strictatime or noatime");
  }
  flags.atime = *atime_mode;

  const int64_t admin_port = values["admin-port"].as<int64_t>();
  if (!ValidAdminPort(admin_port)) {
    return Status::InvalidArgument("bad --admin-port " + std::to_string(admin_port) +
                                   ": expected 0 (off) or 1..65535");
  }
  flags.admin_port = static_cast<int>(admin_port);

  const std::string& level = values["log-level"].as<std::string>();
  if (!ParseLogLevel(level, &flags.log_level)) {
    return Status::InvalidArgument("bad --log-level '" + level +
                                   "': expected debug, info, warning or error");
  }
  flags.verbose = values.count("verbose") > 0;
  if (values.count("log-file")) {
    flags.log_file = values["log-file"].as<std::string>();
    if (flags.log_file.empty()) return Status::InvalidArgument("--log-file is empty");
  }

  std::set<std::string> given_flags;
  for (const auto& [name, value] : values) {
    if (!value.defaulted()) given_flags.insert(name);
  }
  RETURN_IF_ERROR(SortMountOptions(given_flags, &flags));
  return flags;
}

}  // namespace tessera::fuse
