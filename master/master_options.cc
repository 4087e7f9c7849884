#include "master/master_options.h"

#include <boost/program_options.hpp>
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
      "log-level", po::value<std::string>()->default_value("info"),
      "debug, info, warning or error");
  return description;
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
  if (!ParseLogLevel(values["log-level"].as<std::string>(), &options.log_level)) {
    return Status::InvalidArgument("--log-level must be debug, info, warning or error");
  }
  return options;
}

}  // namespace tessera::master
