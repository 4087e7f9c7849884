#include "client/cli/cli_config.h"

#include <charconv>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace tessera::client::cli {
namespace {

std::string Trim(const std::string& text) {
  const size_t begin = text.find_first_not_of(" \t\r");
  if (begin == std::string::npos) return "";
  const size_t end = text.find_last_not_of(" \t\r");
  return text.substr(begin, end - begin + 1);
}

Result<std::vector<HostPort>> ParseMasters(const std::string& text, const std::string& origin) {
  Result<std::vector<HostPort>> masters = ParseHostPortList(text);
  if (!masters.ok()) {
    return Status::InvalidArgument(origin + ": invalid masters '" + text +
                                   "': " + masters.status().message());
  }
  return masters;
}

}  // namespace

Result<CliConfig> ParseCliConfig(const std::string& text, const std::string& origin) {
  CliConfig config;
  std::set<std::string> seen;
  std::istringstream lines(text);
  std::string line;
  int number = 0;
  while (std::getline(lines, line)) {
    ++number;
    const std::string where = origin + ":" + std::to_string(number);
    line = Trim(line);
    if (line.empty() || line.front() == '#') continue;
    const size_t equals = line.find('=');
    if (equals == std::string::npos) {
      return Status::InvalidArgument(where + ": expected 'key = value', got '" + line + "'");
    }
    const std::string key = Trim(line.substr(0, equals));
    const std::string value = Trim(line.substr(equals + 1));
    if (!seen.insert(key).second) {
      return Status::InvalidArgument(where + ": '" + key + "' is set twice");
    }
    if (key == "masters") {
      ASSIGN_OR_RETURN(config.masters, ParseMasters(value, where));
    } else if (key == "timeout-ms") {
      int timeout = 0;
      auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), timeout);
      if (error != std::errc() || end != value.data() + value.size() || timeout < 1 ||
          timeout > 3600 * 1000) {
        return Status::InvalidArgument(where + ": timeout-ms must be 1..3600000, got '" + value +
                                       "'");
      }
      config.timeout_ms = timeout;
    } else {
      return Status::InvalidArgument(where + ": unknown key '" + key +
                                     "' (known: masters, timeout-ms)");
    }
  }
  return config;
}

Result<CliConfig> ReadCliConfigFile(const std::string& path) {
  std::error_code error;
  if (!std::filesystem::exists(path, error)) {
    return Status::NotFound("config file " + path + " does not exist");
  }
  std::ifstream in(path);
  if (!in) return Status::IoError("cannot read config file " + path);
  std::stringstream text;
  text << in.rdbuf();
  if (in.bad()) return Status::IoError("cannot read config file " + path);
  return ParseCliConfig(text.str(), path);
}

Result<ResolvedMasters> ResolveMasters(const MasterSources& sources) {
  ResolvedMasters resolved;
  // The config file is read whenever one is named, so that a broken file is reported even
  // when --masters overrides its masters (its timeout-ms still applies).
  std::optional<std::string> config_path = sources.config_flag;
  if (!config_path) config_path = sources.config_env;
  const bool named = config_path.has_value();
  if (!config_path) {
    std::error_code error;
    if (std::filesystem::exists(sources.default_config, error)) {
      config_path = sources.default_config;
    }
  }
  CliConfig config;
  if (config_path) {
    if (config_path->empty()) return Status::InvalidArgument("the config file name is empty");
    Result<CliConfig> read = ReadCliConfigFile(*config_path);
    if (!read.ok() && !(read.status().code() == StatusCode::kNotFound && !named)) {
      return read.status();
    }
    if (read.ok()) config = std::move(*read);
  }
  resolved.timeout_ms = config.timeout_ms;
  if (sources.flag) {
    ASSIGN_OR_RETURN(resolved.masters, ParseMasters(*sources.flag, "--masters"));
    resolved.source = "--masters";
  } else if (sources.env && !sources.env->empty()) {
    ASSIGN_OR_RETURN(resolved.masters, ParseMasters(*sources.env, "TESSERA_MASTERS"));
    resolved.source = "TESSERA_MASTERS";
  } else if (!config.masters.empty()) {
    resolved.masters = std::move(config.masters);
    resolved.source = "config file " + *config_path;
  }
  return resolved;
}

}  // namespace tessera::client::cli
