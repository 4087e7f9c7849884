#include "client/cli/balance_command.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <thread>
#include <utility>

#include "client/master_client.h"

namespace tessera::client::cli {
namespace {

constexpr char kBalanceUsage[] =
    "Usage: tessera [--masters H:P,...] balance [--threshold PCT] [--bandwidth MB/s] [--no-wait]\n"
    "                                         [--interval-ms N] [--json]\n"
    "       tessera [--masters H:P,...] balance --status [--json]\n"
    "       tessera [--masters H:P,...] balance --stop\n"
    "Moves replicas from the fullest to the emptiest chunk servers until every server's use\n"
    "(used / capacity) is within --threshold percentage points (default 10, at most 50) of the\n"
    "mean, never lowering a chunk below its goal. --bandwidth caps the average rate in MB/s\n"
    "(10^6 bytes; default: no cap beyond the chunk servers' --replication-mbps). Without\n"
    "--no-wait, shows progress every --interval-ms (default 1000) and ends with a summary.\n";

constexpr int64_t kUnreachableGiveUpMs = 60000;
constexpr double kMaxThresholdPct = 50;
constexpr double kMaxBandwidthMbps = 10000;

struct Request {
  double threshold_pct = 10;
  double bandwidth_mbps = 0;  // 0: no cap
  bool no_wait = false;
  bool status = false;
  bool stop = false;
  bool json = false;
  int interval_ms = 1000;
};

// A whole decimal number, as typed: no sign, no exponent, no "nan" or "inf".
std::optional<double> ParseNumber(const std::string& text) {
  if (text.empty() || text.size() > 20 ||
      text.find_first_not_of("0123456789.") != std::string::npos) {
    return std::nullopt;
  }
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

std::optional<std::string> Parse(const std::vector<std::string>& args, Request* request) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    auto value = [&]() -> std::optional<std::string> {
      if (i + 1 == args.size()) return std::nullopt;
      return args[++i];
    };
    if (arg == "--no-wait") {
      request->no_wait = true;
    } else if (arg == "--status") {
      request->status = true;
    } else if (arg == "--stop") {
      request->stop = true;
    } else if (arg == "--json") {
      request->json = true;
    } else if (arg == "--threshold" || arg == "--bandwidth" || arg == "--interval-ms") {
      std::optional<std::string> text = value();
      if (!text) return arg + " needs a value";
      std::optional<double> number = ParseNumber(*text);
      if (arg == "--threshold") {
        if (!number || *number <= 0 || *number > kMaxThresholdPct) {
          return "--threshold must be a number of percentage points in (0, 50], got '" + *text +
                 "'";
        }
        request->threshold_pct = *number;
      } else if (arg == "--bandwidth") {
        if (!number || *number <= 0 || *number > kMaxBandwidthMbps) {
          return "--bandwidth must be MB/s in (0, 10000], got '" + *text + "'";
        }
        request->bandwidth_mbps = *number;
      } else {
        if (!number || *number != std::floor(*number) || *number < 100 || *number > 60000) {
          return "--interval-ms must be 100..60000, got '" + *text + "'";
        }
        request->interval_ms = static_cast<int>(*number);
      }
    } else {
      return (!arg.empty() && arg.front() == '-' ? "unknown option '" : "unexpected argument '") +
             arg + "'";
    }
  }
  if (request->status + request->stop > 1) return "--status and --stop exclude each other";
  if ((request->status || request->stop) && request->no_wait) {
    return "--no-wait goes only with starting a balance";
  }
  if (request->stop && request->json) return "--json does not go with --stop";
  return std::nullopt;
}

int Failed(const std::string& what, const Status& status) {
  std::cerr << "tessera: " << what << ": " << status.ToString() << "\n";
  return kExitFailed;
}

std::string Bytes(int64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.1f MiB", static_cast<double>(bytes) / (1 << 20));
  return text;
}

std::string JsonString(const std::string& text) {
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') {
      quoted += '\\';
      quoted += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof(escaped), "\\u%04x", c);
      quoted += escaped;
    } else {
      quoted += c;
    }
  }
  return quoted + "\"";
}

// Bytes per second over the last 10 s of observations.
class Rate {
 public:
  void Observe(int64_t now_ms, int64_t moved) {
    // A new leader counts from zero: the rate starts again.
    if (!samples_.empty() && moved < samples_.back().second) samples_.clear();
    samples_.emplace_back(now_ms, moved);
    while (samples_.size() > 2 && now_ms - samples_.front().first > 10000) samples_.pop_front();
  }
  double BytesPerSecond() const {
    if (samples_.size() < 2) return 0;
    const auto& [t0, b0] = samples_.front();
    const auto& [t1, b1] = samples_.back();
    return t1 > t0 ? static_cast<double>(b1 - b0) * 1000.0 / static_cast<double>(t1 - t0) : 0;
  }

 private:
  std::deque<std::pair<int64_t, int64_t>> samples_;
};

// One JSON object on one line; `rate` < 0 leaves out the rate and the ETA.
std::string Json(const std::string& event, const rpc::BalanceStatus& s, double rate) {
  std::ostringstream out;
  out << "{\"event\":" << JsonString(event) << ",\"state\":" << JsonString(s.state)
      << ",\"automatic\":" << (s.automatic ? "true" : "false")
      << ",\"threshold_pct\":" << s.threshold_pct
      << ",\"bandwidth_bytes_per_sec\":" << s.bandwidth_bytes_per_sec
      << ",\"mean_use_pct\":" << s.mean_use_pct << ",\"max_deviation_pct\":" << s.max_deviation_pct
      << ",\"bytes_moved\":" << s.bytes_moved << ",\"bytes_remaining\":" << s.bytes_remaining
      << ",\"moves_done\":" << s.moves_done << ",\"moves_failed\":" << s.moves_failed
      << ",\"elapsed_ms\":" << s.elapsed_ms;
  if (rate >= 0) {
    out << ",\"rate_bytes_per_sec\":" << static_cast<int64_t>(rate);
    if (rate > 0) out << ",\"eta_s\":" << static_cast<int64_t>(s.bytes_remaining / rate);
  }
  out << ",\"last_error\":" << JsonString(s.last_error) << "}\n";
  return out.str();
}

std::string StatusText(const rpc::BalanceStatus& s) {
  char text[512];
  std::snprintf(text, sizeof(text),
                "balance %s%s: mean use %.1f%%, farthest server %.1f points off (threshold %.1f), "
                "about %s to move; %s moved in %lld moves (%lld failed)\n",
                s.state.c_str(), s.automatic ? " (automatic balancing on)" : "", s.mean_use_pct,
                s.max_deviation_pct, s.threshold_pct, Bytes(s.bytes_remaining).c_str(),
                Bytes(s.bytes_moved).c_str(), static_cast<long long>(s.moves_done),
                static_cast<long long>(s.moves_failed));
  std::string line = text;
  if (!s.last_error.empty()) line += "last problem: " + s.last_error + "\n";
  return line;
}

std::string ProgressLine(const rpc::BalanceStatus& s, double rate) {
  char text[512];
  std::string eta = "unknown";
  if (rate > 0) eta = std::to_string(static_cast<int64_t>(s.bytes_remaining / rate)) + " s";
  std::snprintf(text, sizeof(text),
                "moved %s, about %s to go, %.2f MB/s, ETA %s; farthest server %.1f points "
                "from the mean %.1f%%",
                Bytes(s.bytes_moved).c_str(), Bytes(s.bytes_remaining).c_str(), rate / 1e6,
                eta.c_str(), s.max_deviation_pct, s.mean_use_pct);
  return text;
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

int WaitUntilBalanced(MasterClient& master, const Request& request, int64_t bandwidth) {
  Rate rate;
  int64_t unreachable_since = -1;
  for (;;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(request.interval_ms));
    Result<rpc::BalanceStatus> status = master.BalanceStatus();
    const int64_t now = NowMs();
    if (!status.ok()) {
      // A master failover takes a few seconds; keep asking a while before giving up.
      if (unreachable_since < 0) unreachable_since = now;
      if (now - unreachable_since > kUnreachableGiveUpMs) {
        return Failed(
            "balance: no master answered for " + std::to_string(kUnreachableGiveUpMs / 1000) + " s",
            status.status());
      }
      std::cerr << "tessera: cannot ask the masters (will retry): " << status.status().ToString()
                << "\n";
      continue;
    }
    unreachable_since = -1;
    rpc::BalanceStatus& s = *status;
    if (s.state == "idle") {
      // The start is in the log, so a leader always knows it; "idle" means the log lost it.
      std::cerr << "tessera: the master leader has no balance recorded: starting it there "
                   "again\n";
      Status started = master.StartBalance(request.threshold_pct, bandwidth);
      if (!started.ok()) return Failed("balance (restart on the new leader)", started);
      continue;
    }
    if (s.state == "stopped") {
      std::cerr << "tessera: the balance was stopped (tessera balance --stop)\n";
      if (request.json) std::cout << Json("stopped", s, -1) << std::flush;
      return kExitFailed;
    }
    rate.Observe(now, s.bytes_moved);
    if (s.state == "done") {
      const double seconds = std::max<double>(1, static_cast<double>(s.elapsed_ms)) / 1000;
      if (request.json) {
        std::cout << Json("done", s, static_cast<double>(s.bytes_moved) / seconds) << std::flush;
      } else {
        char text[256];
        std::snprintf(
            text, sizeof(text),
            "balanced: every chunk server within %.1f points of the mean use %.1f%% "
            "(farthest %.1f); moved %s in %lld moves (%lld failed) in %.1f s, %.2f MB/s\n",
            s.threshold_pct, s.mean_use_pct, s.max_deviation_pct, Bytes(s.bytes_moved).c_str(),
            static_cast<long long>(s.moves_done), static_cast<long long>(s.moves_failed), seconds,
            static_cast<double>(s.bytes_moved) / seconds / 1e6);
        std::cout << text << std::flush;
      }
      return kExitOk;
    }
    if (request.json) {
      std::cout << Json("progress", s, rate.BytesPerSecond()) << std::flush;
    } else {
      std::cout << ProgressLine(s, rate.BytesPerSecond()) << std::endl;
    }
  }
}

}  // namespace

int RunBalance(const GlobalOptions& global, const std::vector<std::string>& args) {
  for (const std::string& arg : args) {
    if (arg == "--help" || arg == "-h") {
      std::cout << kBalanceUsage;
      return kExitOk;
    }
  }
  Request request;
  if (std::optional<std::string> bad = Parse(args, &request)) {
    return UsageError("balance: " + *bad);
  }
  if (global.masters.empty()) {
    return UsageError("no masters given: use --masters H:P[,H:P...] or set TESSERA_MASTERS");
  }
  std::unique_ptr<MasterClient> master = ConnectToMasters(global, 10000);
  if (request.status) {
    Result<rpc::BalanceStatus> status = master->BalanceStatus();
    if (!status.ok()) return Failed("balance --status", status.status());
    std::cout << (request.json ? Json("status", *status, -1) : StatusText(*status));
    return kExitOk;
  }
  if (request.stop) {
    Status stopped = master->StopBalance();
    if (!stopped.ok()) return Failed("balance --stop", stopped);
    std::cout << "balance stopped after the moves running now\n";
    return kExitOk;
  }
  const auto bandwidth = static_cast<int64_t>(std::llround(request.bandwidth_mbps * 1e6));
  Status started = master->StartBalance(request.threshold_pct, bandwidth);
  if (!started.ok()) return Failed("balance", started);
  if (!request.json) {
    std::cout << "balancing: threshold " << request.threshold_pct << " percentage points, "
              << (bandwidth == 0 ? std::string("bandwidth not capped")
                                 : "at most " + std::to_string(request.bandwidth_mbps) + " MB/s")
              << std::endl;
  }
  if (request.no_wait) {
    if (!request.json) {
      std::cout << "follow it with 'tessera balance --status'\n";
      return kExitOk;
    }
    Result<rpc::BalanceStatus> status = master->BalanceStatus();
    if (!status.ok()) return Failed("balance", status.status());
    std::cout << Json("started", *status, -1);
    return kExitOk;
  }
  return WaitUntilBalanced(*master, request, bandwidth);
}

}  // namespace tessera::client::cli
