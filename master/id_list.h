// "3,17,42": ids for log lines. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tessera::master {

std::string JoinIds(const std::vector<int64_t>& ids);

}  // namespace tessera::master
