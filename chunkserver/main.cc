// tessera-chunkserver: serves the chunks of its data directories and reports to the master.
//
//   tessera-chunkserver --listen HOST:PORT --masters H:P[,H:P...] --data-dir DIR [--data-dir DIR2]
//                       [--rack NAME] [--heartbeat-ms 1000] [--replication-mbps 100]
//                       [--scrub-mbps 8] [--scrub-pause-ms 30000] [--admin-port 0]
//                       [--log-level info]
//
// Runs in the foreground, logs to stderr, exits 0 after a clean shutdown on SIGTERM/SIGINT and
// 2 on a bad flag.
#include <malloc.h>
#include <signal.h>

#include <cstdlib>
#include <iostream>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <boost/program_options.hpp>
#include <thrift/TOutput.h>

#include "chunkserver/chunk_scrubber.h"
#include "chunkserver/chunk_service.h"
#include "chunkserver/chunk_store.h"
#include "chunkserver/chunkserver_admin.h"
#include "chunkserver/master_link.h"
#include "common/address.h"
#include "common/admin_routes.h"
#include "common/http_admin_server.h"
#include "common/metrics.h"
#include "common/rpc_metrics.h"
#include "common/logging.h"
#include "common/shutdown_signals.h"
#include "common/rpc_server.h"

namespace po = boost::program_options;

namespace tessera {
namespace {

constexpr char kComponent[] = "chunkserver";
constexpr int kExitBadFlag = 2;
constexpr int kExitFailure = 1;
constexpr int64_t kMaxReplicationMbps = 100'000;  // 100 GB/s: far above any disk or network
constexpr int64_t kMaxScrubMbps = 100'000;
constexpr int64_t kMaxScrubPauseMs = 7 * 24 * 3600 * 1000LL;  // a week

struct Flags {
  HostPort listen;
  std::vector<HostPort> masters;
  std::vector<std::string> data_dirs;
  std::string rack;
  int heartbeat_ms = 1000;
  int64_t replication_mbps = 100;  // megabytes (10^6 bytes) per second; 0: unlimited
  int64_t scrub_mbps = 8;          // megabytes per second; 0: no scrubbing
  int64_t scrub_pause_ms = 30'000;  // between two scrub passes
  int64_t admin_port = 0;           // HTTP admin port on the --listen host; 0: off
  LogLevel log_level = LogLevel::kInfo;
};

[[noreturn]] void BadFlag(const std::string& message) {
  std::cerr << "tessera-chunkserver: " << message << "\n"
            << "usage: tessera-chunkserver --listen HOST:PORT --masters H:P[,H:P...] "
               "--data-dir DIR [--data-dir DIR2 ...] [--rack NAME] [--heartbeat-ms 1000] "
               "[--replication-mbps 100] [--scrub-mbps 8] [--scrub-pause-ms 30000] "
               "[--admin-port 0] [--log-level info]\n";
  std::exit(kExitBadFlag);
}

Flags ParseFlags(int argc, char** argv) {
  po::options_description options("tessera-chunkserver options");
  std::string listen, masters, log_level = "info";
  Flags flags;
  options.add_options()("help", "show this help")(
      "listen", po::value(&listen)->required(), "HOST:PORT to serve chunk RPCs on")(
      "masters", po::value(&masters)->required(), "comma-separated master addresses H:P")(
      "data-dir", po::value(&flags.data_dirs)->required(), "data directory (repeatable)")(
      "rack", po::value(&flags.rack)->default_value(""), "failure-domain label")(
      "heartbeat-ms", po::value(&flags.heartbeat_ms)->default_value(1000),
      "heartbeat interval in milliseconds (50..60000)")(
      "replication-mbps", po::value(&flags.replication_mbps)->default_value(100),
      "bandwidth for copying chunks in from other servers (re-replication), in megabytes "
      "(10^6 bytes) per second; 0 means unlimited")(
      "scrub-mbps", po::value(&flags.scrub_mbps)->default_value(8),
      "rate at which the background scrubber verifies chunk checksums, in megabytes (10^6 "
      "bytes) per second; 0 disables the scrubber")(
      "scrub-pause-ms", po::value(&flags.scrub_pause_ms)->default_value(30'000),
      "pause between two scrub passes over all chunks, in milliseconds (0..604800000)")(
      "admin-port", po::value(&flags.admin_port)->default_value(0),
      "HTTP admin port on the --listen host: /metrics, /status, /healthz (0: off)")(
      "log-level", po::value(&log_level)->default_value("info"), "debug|info|warning|error");
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(options).run(), vm);
    if (vm.count("help")) {
      std::cout << options << "\n";
      std::exit(0);
    }
    po::notify(vm);
  } catch (const po::error& e) {
    BadFlag(e.what());
  }
  Result<HostPort> listen_address = ParseHostPort(listen);
  if (!listen_address.ok()) BadFlag("--listen: " + listen_address.status().message());
  flags.listen = *listen_address;
  Result<std::vector<HostPort>> master_addresses = ParseHostPortList(masters);
  if (!master_addresses.ok()) BadFlag("--masters: " + master_addresses.status().message());
  flags.masters = *master_addresses;
  std::set<std::string> distinct;
  for (const std::string& dir : flags.data_dirs) {
    if (dir.empty()) BadFlag("--data-dir must not be empty");
    if (!distinct.insert(dir).second) BadFlag("--data-dir " + dir + " given twice");
  }
  if (flags.heartbeat_ms < 50 || flags.heartbeat_ms > 60000) {
    BadFlag("--heartbeat-ms must be 50..60000, got " + std::to_string(flags.heartbeat_ms));
  }
  if (flags.replication_mbps < 0 || flags.replication_mbps > kMaxReplicationMbps) {
    BadFlag("--replication-mbps must be 0 (unlimited) or 1.." +
            std::to_string(kMaxReplicationMbps) + ", got " +
            std::to_string(flags.replication_mbps));
  }
  if (flags.scrub_mbps < 0 || flags.scrub_mbps > kMaxScrubMbps) {
    BadFlag("--scrub-mbps must be 0 (off) or 1.." + std::to_string(kMaxScrubMbps) + ", got " +
            std::to_string(flags.scrub_mbps));
  }
  if (flags.scrub_pause_ms < 0 || flags.scrub_pause_ms > kMaxScrubPauseMs) {
    BadFlag("--scrub-pause-ms must be 0.." + std::to_string(kMaxScrubPauseMs) + ", got " +
            std::to_string(flags.scrub_pause_ms));
  }
  if (!ValidAdminPort(flags.admin_port)) {
    BadFlag("--admin-port must be 0 (off) or 1..65535, got " + std::to_string(flags.admin_port));
  }
  if (flags.rack.size() > 255) BadFlag("--rack is longer than 255 bytes");
  if (!ParseLogLevel(log_level, &flags.log_level)) {
    BadFlag("--log-level must be debug, info, warning or error, got '" + log_level + "'");
  }
  return flags;
}

int Run(int argc, char** argv) {
  Flags flags = ParseFlags(argc, argv);
  SetLogLevel(flags.log_level);
  // Thrift prints its own diagnostics (e.g. every refused connect while a master is down) to
  // stderr; route them into our log at debug level instead, so each failure is one LOG line.
  apache::thrift::GlobalOutput.setOutputFunction(
      [](const char* message) { LOG(kDebug, "thrift") << message; });

  BlockShutdownSignals();  // before any thread starts; sigwait() below takes them

  Result<std::unique_ptr<ChunkStore>> store = ChunkStore::Open(flags.data_dirs);
  if (!store.ok()) {
    LOG(kError, kComponent) << "cannot open data directories: " << store.status().ToString();
    return kExitFailure;
  }
  ReplicationOptions replication;
  replication.bytes_per_second = flags.replication_mbps * 1'000'000;
  auto service = std::make_shared<ChunkService>(store->get(), RpcClientOptions{}, replication);
  SystemClock clock;
  const int64_t started_ns = clock.NowMonotonicNanos();
  MetricsRegistry metrics;
  RpcServer server(InstrumentProcessors(
                       std::make_shared<rpc::ChunkServerServiceProcessorFactory>(
                           std::make_shared<rpc::ChunkServerServiceIfSingletonFactory>(service)),
                       &metrics, &clock),
                   flags.listen);
  Status started = server.Start();
  if (!started.ok()) {
    LOG(kError, kComponent) << "cannot listen on " << flags.listen.ToString() << ": "
                            << started.ToString();
    return kExitFailure;
  }

  MasterLinkOptions link_options;
  link_options.masters = flags.masters;
  link_options.advertised = flags.listen;
  link_options.rack = flags.rack;
  link_options.heartbeat_interval = std::chrono::milliseconds(flags.heartbeat_ms);
  // Short I/O timeouts so that a hung master neither delays heartbeats long nor shutdown.
  link_options.rpc.io_timeout_ms = 5000;
  // A leader that fell silent (partitioned, not dead) is left after 2 s: the new leader answers
  // "no live replica" and "no space" as retryable only for its first 3 s (report_grace_ms,
  // master_service.h), and is elected at the earliest ~1 s after the old one went silent.
  link_options.rpc.dead_peer_ms = 2000;
  MasterLink link(link_options, store->get(), [&service] { return service->Stats(); });
  link.Start();

  ScrubOptions scrub;
  scrub.bytes_per_second = flags.scrub_mbps * 1'000'000;
  scrub.pause_between_passes = std::chrono::milliseconds(flags.scrub_pause_ms);
  ChunkScrubber scrubber(store->get(), scrub, &clock);
  if (flags.scrub_mbps > 0) {
    scrubber.Start();
  } else {
    LOG(kInfo, kComponent) << "scrubber off (--scrub-mbps 0)";
  }

  ChunkServerAdminSources admin_sources{.address = flags.listen.ToString(),
                                        .rack = flags.rack,
                                        .data_dirs = flags.data_dirs,
                                        .service = service.get(),
                                        .store = store->get(),
                                        .scrubber = &scrubber,
                                        .clock = &clock,
                                        .started_ns = started_ns};
  RegisterChunkServerMetrics(admin_sources, &metrics);
  HttpAdminServer admin(HostPort{flags.listen.host, static_cast<int>(flags.admin_port)});
  if (flags.admin_port != 0) {
    AddStandardAdminRoutes(&admin, &metrics, ChunkServerAdminHooks(admin_sources));
    if (Status admin_started = admin.Start(); !admin_started.ok()) {
      LOG(kError, kComponent) << "cannot serve the admin port " << flags.admin_port << ": "
                              << admin_started.ToString();
      scrubber.Stop();
      link.Stop();
      server.Stop();
      return kExitFailure;
    }
  }

  LOG(kInfo, kComponent) << "chunk server ready on " << flags.listen.ToString() << " server id "
                         << (*store)->server_id() << ", " << (*store)->chunk_count()
                         << " chunks, " << flags.data_dirs.size() << " data dirs, masters "
                         << flags.masters.size() << ", replication "
                         << (flags.replication_mbps == 0
                                 ? std::string("unlimited")
                                 : std::to_string(flags.replication_mbps) + " MB/s");

  int signal_number = 0;
  const sigset_t shutdown_signals = ShutdownSignals();
  sigwait(&shutdown_signals, &signal_number);
  LOG(kInfo, kComponent) << "received signal " << signal_number << ", shutting down";
  admin.Stop();  // it reads the scrubber and the service: stop it first
  scrubber.Stop();
  link.Stop();
  server.Stop();
  LOG(kInfo, kComponent) << "chunk server stopped";
  return 0;
}

}  // namespace
}  // namespace tessera

int main(int argc, char** argv) {
  // Every data request allocates buffers of up to 4 MiB. Keep them on the heap rather than
  // mmap/munmap per request, which costs page faults and page zeroing on every write.
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  return tessera::Run(argc, argv);
}
