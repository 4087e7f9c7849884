#include "master/master_options.h"

#include <boost/program_options.hpp>

#include "common/open_files.h"
#include <sstream>
#include <string>
#include <vector>

namespace tessera::master {

namespace po = boost::program_options;

namespace {

po::options_description Describe() {
  po::options_description description("tessera-master options");
  description.add_options()("help", "print this help")(
      "listen", po::value<std::string>()->required(), "HOST:PORT to serve on")(
      "data-dir", po::value<std::string>()->required(), "directory for the metadata database")(
      "default-goal", po::value<int>()->default_value(3), "replicas of new files' chunks (1..16)")(
      "chunkserver-timeout-ms", po::value<int64_t>()->default_value(5000),
      "a chunk server without heartbeat for this long is dead")(
      "write-lease-ms", po::value<int64_t>()->default_value(60000),
      "a write lease lasts this long after its last use; a new one bumps the chunk version")(
      "gc-grace-ms", po::value<int64_t>()->default_value(60000),
      "a chunk replica that no file references is deleted after this long")(
      "open-file-grace-ms", po::value<int64_t>()->default_value(5000),
      "an unlinked file that no mount reported open for this long is freed (>= 3000)")(
      "mount-timeout-ms", po::value<int64_t>()->default_value(10000),
      "a mount holding file locks without heartbeat for this long loses its locks")(
      "auto-balance-threshold", po::value<double>()->default_value(0),
      "balance chunk servers by itself while any server's use is more than this many percentage "
      "points from the mean (0: off, else up to 50)")(
      "auto-balance-mbps", po::value<double>()->default_value(4),
      "rate of the automatic balance in MB/s (0.1..10000)")(
      "log-level", po::value<std::string>()->default_value("info"),
      "debug, info, warning or error")(
      "id", po::value<int64_t>()->default_value(1), "this master's id in the Raft group (> 0)")(
      "advertise", po::value<std::string>(), "HOST:PORT others use to reach this master "
      "(default: --listen)")(
      "peers", po::value<std::string>(),
      "founding members ID=HOST:PORT,... including this one (read only for a new data dir)")(
      "join", "start empty and wait to be added to an existing group")(
      "raft-tick-ms", po::value<int>()->default_value(50), "Raft clock period (5..1000)")(
      "heartbeat-ms", po::value<int>()->default_value(100), "leader heartbeat period")(
      "election-timeout-ms", po::value<int>()->default_value(500),
      "silence after which a follower campaigns (randomized up to twice this)")(
      "snapshot-entries", po::value<int64_t>()->default_value(10000),
      "applied entries after which the Raft log is compacted")(
      "admin-port", po::value<int64_t>()->default_value(0),
      "HTTP admin port on the --listen host: /metrics, /status, /healthz and the status page "
      "at / (0: off)");
  return description;
}

Result<std::vector<FoundingMember>> ParsePeers(const std::string& text) {
  std::vector<FoundingMember> peers;
  std::stringstream items(text);
  std::string item;
  while (std::getline(items, item, ',')) {
    const size_t equals = item.find('=');
    if (equals == std::string::npos || equals == 0) {
      return Status::InvalidArgument("--peers: '" + item + "' is not ID=HOST:PORT");
    }
    FoundingMember member;
    try {
      size_t used = 0;
      const long long id = std::stoll(item.substr(0, equals), &used);
      if (used != equals || id <= 0) throw std::invalid_argument("id");
      member.id = static_cast<uint64_t>(id);
    } catch (const std::exception&) {
      return Status::InvalidArgument("--peers: '" + item.substr(0, equals) +
                                     "' is not a master id > 0");
    }
    Result<HostPort> address = ParseHostPort(item.substr(equals + 1));
    if (!address.ok()) return Status::InvalidArgument("--peers: " + address.status().message());
    for (const FoundingMember& other : peers) {
      if (other.id == member.id || other.address == *address) {
        return Status::InvalidArgument("--peers: '" + item + "' repeats an id or address");
      }
    }
    member.address = *address;
    peers.push_back(std::move(member));
  }
  if (peers.empty()) return Status::InvalidArgument("--peers is empty");
  return peers;
}

// Inclusive bounds check of an integer flag.
template <typename T>
Status InRange(const char* flag, T value, T low, T high) {
  if (value < low || value > high) {
    return Status::InvalidArgument(std::string("--") + flag + " must be " + std::to_string(low) +
                                   ".." + std::to_string(high));
  }
  return Status::Ok();
}

}  // namespace

std::string MasterUsage() {
  std::ostringstream out;
  out << "usage: tessera-master --listen HOST:PORT --data-dir DIR [options]\n" << Describe();
  return out.str();
}

Result<MasterOptions> ParseMasterOptions(int argc, const char* const* argv) {
  // parsed_options points into the description, so it must outlive store().
  const po::options_description description = Describe();
  po::variables_map values;
  try {
    po::parsed_options parsed = po::command_line_parser(argc, argv).options(description).run();
    std::vector<std::string> stray =
        po::collect_unrecognized(parsed.options, po::include_positional);
    if (!stray.empty()) return Status::InvalidArgument("unexpected argument '" + stray[0] + "'");
    po::store(parsed, values);
    if (values.count("help")) {
      MasterOptions options;
      options.help_requested = true;
      return options;
    }
    po::notify(values);
  } catch (const po::error& e) {
    return Status::InvalidArgument(e.what());
  }

  MasterOptions options;
  Result<HostPort> listen = ParseHostPort(values["listen"].as<std::string>());
  if (!listen.ok()) return Status::InvalidArgument("--listen: " + listen.status().message());
  options.listen = *listen;
  options.data_dir = values["data-dir"].as<std::string>();
  if (options.data_dir.empty()) return Status::InvalidArgument("--data-dir must not be empty");
  options.default_goal = values["default-goal"].as<int>();
  if (options.default_goal < 1 || options.default_goal > kMaxGoal) {
    return Status::InvalidArgument("--default-goal must be 1.." + std::to_string(kMaxGoal));
  }
  options.chunkserver_timeout_ms = values["chunkserver-timeout-ms"].as<int64_t>();
  if (options.chunkserver_timeout_ms < 1 || options.chunkserver_timeout_ms > 3'600'000) {
    return Status::InvalidArgument("--chunkserver-timeout-ms must be 1..3600000");
  }
  options.write_lease_ms = values["write-lease-ms"].as<int64_t>();
  RETURN_IF_ERROR(InRange<int64_t>("write-lease-ms", options.write_lease_ms, 100, 3'600'000));
  options.gc_grace_ms = values["gc-grace-ms"].as<int64_t>();
  RETURN_IF_ERROR(InRange<int64_t>("gc-grace-ms", options.gc_grace_ms, 0, 30LL * 86'400'000));
  options.open_file_grace_ms = values["open-file-grace-ms"].as<int64_t>();
  // Shorter than a few report intervals, a file opened just before its unlink could be freed
  // before its mount reported it.
  RETURN_IF_ERROR(InRange<int64_t>("open-file-grace-ms", options.open_file_grace_ms,
                                   kMinOpenFileGraceMs, 86'400'000));
  options.mount_timeout_ms = values["mount-timeout-ms"].as<int64_t>();
  // Mounts heartbeat every second: a timeout under two beats would expire healthy mounts.
  RETURN_IF_ERROR(InRange<int64_t>("mount-timeout-ms", options.mount_timeout_ms, 2000, 3'600'000));
  options.auto_balance_threshold_pct = values["auto-balance-threshold"].as<double>();
  if (!(options.auto_balance_threshold_pct == 0 ||
        (options.auto_balance_threshold_pct > 0 && options.auto_balance_threshold_pct <= 50))) {
    return Status::InvalidArgument("--auto-balance-threshold must be 0 (off) or in (0, 50]");
  }
  options.auto_balance_mbps = values["auto-balance-mbps"].as<double>();
  if (!(options.auto_balance_mbps >= 0.1 && options.auto_balance_mbps <= 10000)) {
    return Status::InvalidArgument("--auto-balance-mbps must be in 0.1..10000");
  }
  if (!ParseLogLevel(values["log-level"].as<std::string>(), &options.log_level)) {
    return Status::InvalidArgument("--log-level must be debug, info, warning or error");
  }

  const int64_t id = values["id"].as<int64_t>();
  RETURN_IF_ERROR(InRange<int64_t>("id", id, 1, int64_t{1} << 62));
  options.id = static_cast<uint64_t>(id);
  options.advertise = options.listen;
  if (values.count("advertise")) {
    Result<HostPort> advertise = ParseHostPort(values["advertise"].as<std::string>());
    if (!advertise.ok()) return Status::InvalidArgument("--advertise: " + advertise.status().message());
    options.advertise = *advertise;
  }
  options.join = values.count("join") > 0;
  if (values.count("peers")) {
    if (options.join) return Status::InvalidArgument("--peers and --join exclude each other");
    ASSIGN_OR_RETURN(options.peers, ParsePeers(values["peers"].as<std::string>()));
    bool listed = false;
    for (const FoundingMember& member : options.peers) {
      if (member.id != options.id) continue;
      listed = true;
      if (!(member.address == options.advertise)) {
        return Status::InvalidArgument("--peers gives master " + std::to_string(id) + " address " +
                                       member.address.ToString() + ", but it is reached at " +
                                       options.advertise.ToString());
      }
    }
    if (!listed) {
      return Status::InvalidArgument("--peers must list this master (--id " + std::to_string(id) +
                                     ")");
    }
  }
  options.raft_tick_ms = values["raft-tick-ms"].as<int>();
  RETURN_IF_ERROR(InRange("raft-tick-ms", options.raft_tick_ms, 5, 1000));
  options.heartbeat_ms = values["heartbeat-ms"].as<int>();
  RETURN_IF_ERROR(InRange("heartbeat-ms", options.heartbeat_ms, options.raft_tick_ms, 60'000));
  options.election_timeout_ms = values["election-timeout-ms"].as<int>();
  RETURN_IF_ERROR(InRange("election-timeout-ms", options.election_timeout_ms,
                          2 * options.heartbeat_ms, 600'000));
  const int64_t snapshot_entries = values["snapshot-entries"].as<int64_t>();
  RETURN_IF_ERROR(InRange<int64_t>("snapshot-entries", snapshot_entries, 1, int64_t{1} << 40));
  options.snapshot_entries = static_cast<uint64_t>(snapshot_entries);
  const int64_t admin_port = values["admin-port"].as<int64_t>();
  RETURN_IF_ERROR(InRange<int64_t>("admin-port", admin_port, 0, 65535));
  options.admin_port = static_cast<int>(admin_port);
  return options;
}

}  // namespace tessera::master
