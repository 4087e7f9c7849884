#include "client/cli/decommission_command.h"

#include <charconv>
#include <chrono>
#include <iostream>
#include <memory>
#include <optional>
#include <thread>

#include "client/cli/decommission_progress.h"
#include "client/master_client.h"

namespace tessera::client::cli {
namespace {

constexpr char kDecommissionUsage[] =
    "Usage: tessera [--masters H:P,...] decommission SERVER_ID [--no-wait] [--interval-ms N]"
    " [--json]\n"
    "       tessera [--masters H:P,...] decommission SERVER_ID --cancel [--json]\n"
    "       tessera [--masters H:P,...] decommission --status [SERVER_ID] [--json]\n"
    "Drains chunk server SERVER_ID: its replicas are copied to other servers and then dropped\n"
    "from it, while it keeps serving reads; it gets no new chunk. Without --no-wait, shows the\n"
    "progress every --interval-ms (default 1000) until the server holds no chunk and can be\n"
    "switched off. --cancel puts the server back in service; --status lists draining servers.\n"
    "With --json while waiting: one JSON object per line per progress observation.\n";

// Give up waiting when the masters cannot be asked for this long in a row.
constexpr int64_t kUnreachableGiveUpMs = 60000;

struct Request {
  std::optional<int64_t> server_id;
  bool no_wait = false;
  bool cancel = false;
  bool status = false;
  bool json = false;
  int interval_ms = 1000;
};

// A chunk server id as typed by the operator: a decimal number in 1..2^63-1 (chunk servers
// pick random 63-bit ids; `tessera status` shows them).
bool ParseServerId(const std::string& text, int64_t* id) {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) return false;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), *id);
  return error == std::errc() && end == text.data() + text.size() && *id > 0;
}

// Fills `request` from the arguments; returns an error message for bad usage.
std::optional<std::string> Parse(const std::vector<std::string>& args, Request* request) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--no-wait") {
      request->no_wait = true;
    } else if (arg == "--cancel") {
      request->cancel = true;
    } else if (arg == "--status") {
      request->status = true;
    } else if (arg == "--json") {
      request->json = true;
    } else if (arg == "--interval-ms") {
      if (i + 1 == args.size()) return "--interval-ms needs a value";
      const std::string& value = args[++i];
      if (value.empty() || value.size() > 6 ||
          value.find_first_not_of("0123456789") != std::string::npos ||
          (request->interval_ms = std::stoi(value)) < 100 || request->interval_ms > 60000) {
        return "--interval-ms must be 100..60000, got '" + value + "'";
      }
    } else if (!arg.empty() && arg.front() == '-') {
      return "unknown option '" + arg + "'";
    } else if (request->server_id) {
      return "unexpected argument '" + arg + "' (one SERVER_ID only)";
    } else {
      int64_t id = 0;
      if (!ParseServerId(arg, &id)) return "SERVER_ID must be a number > 0, got '" + arg + "'";
      request->server_id = id;
    }
  }
  if (request->cancel + request->status > 1) return "--cancel and --status exclude each other";
  if (!request->status && !request->server_id) return "say which SERVER_ID to decommission";
  if ((request->cancel || request->status) && request->no_wait) {
    return "--no-wait goes only with starting a decommission";
  }
  return std::nullopt;
}

int Failed(const std::string& what, const Status& status) {
  std::cerr << "tessera: " << what << ": " << status.ToString() << "\n";
  return kExitFailed;
}

int ShowStatus(MasterClient& master, const Request& request) {
  Result<rpc::ClusterStatus> status = master.ClusterStatus();
  if (!status.ok()) return Failed("decommission --status", status.status());
  std::vector<DrainState> servers;
  if (request.server_id) {
    DrainState state = DrainStateOf(*status, *request.server_id);
    if (!state.registered && !state.draining) {
      return Failed("decommission --status",
                    Status::NotFound("no chunk server " + std::to_string(*request.server_id) +
                                     " is known to the master"));
    }
    servers.push_back(std::move(state));
    if (!servers.back().draining && !request.json) {
      std::cout << "server " << *request.server_id << " is not draining\n";
      return kExitOk;
    }
  } else {
    servers = DrainingServers(*status);
  }
  std::cout << (request.json ? FormatDrainStatusJson(servers) : FormatDrainStatusText(servers));
  return kExitOk;
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Polls the leader until the server is drained. Returns the exit code.
int WaitUntilDrained(MasterClient& master, const Request& request) {
  const int64_t id = *request.server_id;
  DrainProgress progress;
  int64_t unreachable_since = -1;
  for (;;) {
    Result<rpc::ClusterStatus> status = master.ClusterStatus();
    const int64_t now = NowMs();
    if (!status.ok()) {
      // A master failover takes a few seconds; keep asking a while before giving up.
      if (unreachable_since < 0) unreachable_since = now;
      if (now - unreachable_since > kUnreachableGiveUpMs) {
        return Failed("decommission " + std::to_string(id) + ": no master answered for " +
                          std::to_string(kUnreachableGiveUpMs / 1000) + " s",
                      status.status());
      }
      std::cerr << "tessera: cannot ask the masters (will retry): "
                << status.status().ToString() << "\n";
    } else {
      unreachable_since = -1;
      const DrainState state = DrainStateOf(*status, id);
      if (!state.draining) {
        std::cerr << "tessera: server " << id
                  << " is no longer draining: the decommission was cancelled\n";
        return kExitFailed;
      }
      progress.Observe(now, state.replicas_left);
      if (request.json) {
        std::cout << FormatDrainProgressJson(state, progress) << std::flush;
      } else if (!DrainDone(state)) {
        std::cout << progress.Line(state) << std::endl;
      }
      if (DrainDone(state)) {
        if (!request.json) {
          std::cout << "server " << id << " holds no chunks: it can be switched off" << std::endl;
        }
        return kExitOk;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(request.interval_ms));
  }
}

}  // namespace

int RunDecommission(const GlobalOptions& global, const std::vector<std::string>& args) {
  for (const std::string& arg : args) {
    if (arg == "--help" || arg == "-h") {
      std::cout << kDecommissionUsage;
      return kExitOk;
    }
  }
  Request request;
  if (std::optional<std::string> bad = Parse(args, &request)) {
    return UsageError("decommission: " + *bad);
  }
  if (global.masters.empty()) {
    return NoMastersError();
  }
  std::unique_ptr<MasterClient> master = ConnectToMasters(global, 10000);
  if (request.status) return ShowStatus(*master, request);
  const int64_t id = *request.server_id;
  const std::string what = "decommission " + std::to_string(id);
  if (request.cancel) {
    Status cancelled = master->CancelDecommission(id);
    if (!cancelled.ok()) return Failed(what + " --cancel", cancelled);
    if (request.json) {
      std::cout << "{\"server_id\":" << id << ",\"draining\":false}\n";
      return kExitOk;
    }
    std::cout << "server " << id << " is no longer draining: it takes new chunks again\n";
    return kExitOk;
  }
  Status started = master->StartDecommission(id);
  if (!started.ok()) return Failed(what, started);
  if (!request.json) {
    std::cout << "server " << id << " is draining: its replicas are moving to other servers\n";
  }
  if (request.no_wait) {
    if (request.json) {
      std::cout << "{\"server_id\":" << id << ",\"draining\":true}\n";
    } else {
      std::cout << "follow it with 'tessera decommission --status " << id << "'\n";
    }
    return kExitOk;
  }
  return WaitUntilDrained(*master, request);
}

}  // namespace tessera::client::cli
