// Where `tessera` finds the master addresses, first match wins:
//   1. --masters H:P[,H:P...]
//   2. the TESSERA_MASTERS environment variable
//   3. the config file named by --config FILE (it must exist), else by TESSERA_CONFIG (it must
//      exist), else /etc/tessera/tessera.conf when that file exists.
//
// Config file: one "key = value" per line; blank lines and lines starting with '#' are
// ignored. Keys: "masters" (H:P[,H:P...]) and "timeout-ms" (1..3600000). An unknown key, a
// line without '=', a repeated key or a bad value is an error naming the file and the line.
//
// Pure functions apart from ReadCliConfigFile; no shared state.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/address.h"
#include "common/status.h"

namespace tessera::client::cli {

inline constexpr char kDefaultConfigPath[] = "/etc/tessera/tessera.conf";

struct CliConfig {
  std::vector<HostPort> masters;  // empty when the file names none
  std::optional<int> timeout_ms;
};

// Parses the text of a config file; `origin` (the file name) prefixes every error message.
Result<CliConfig> ParseCliConfig(const std::string& text, const std::string& origin);
// Reads and parses `path`; kNotFound when it does not exist.
Result<CliConfig> ReadCliConfigFile(const std::string& path);

struct MasterSources {
  std::optional<std::string> flag;         // --masters
  std::optional<std::string> env;          // TESSERA_MASTERS (empty counts as unset)
  std::optional<std::string> config_flag;  // --config
  std::optional<std::string> config_env;   // TESSERA_CONFIG
  std::string default_config = kDefaultConfigPath;
};

struct ResolvedMasters {
  std::vector<HostPort> masters;  // empty: no source named any
  std::string source;             // "--masters", "TESSERA_MASTERS", "config file X" or ""
  std::optional<int> timeout_ms;  // from the config file, when it sets one
};

// Applies the order above. An explicitly named config file that is missing, or any invalid
// value, is an error whose message says where the value came from.
Result<ResolvedMasters> ResolveMasters(const MasterSources& sources);

}  // namespace tessera::client::cli
