// tessera-master: the metadata service (single process until Raft arrives).
#include <signal.h>

#include <cerrno>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <memory>
#include <system_error>

#include "common/clock.h"
#include "common/logging.h"
#include "common/shutdown_signals.h"
#include "common/names.h"
#include "common/rpc_server.h"
#include "gen-cpp/MasterService.h"
#include "master/chunk_server_registry.h"
#include "master/local_command_log.h"
#include "master/master_options.h"
#include "master/master_service.h"
#include "master/state_machine.h"

namespace tessera::master {
namespace {

constexpr int kRootMode = 0755;

// A fresh namespace gets its root directory through the log, like any other change.
Status EnsureRoot(const StateMachine& state, CommandLog* log) {
  Result<rpc::Attr> root = state.GetAttr(kRootInode);
  if (root.ok()) return Status::Ok();
  if (root.status().code() != StatusCode::kNotFound) return root.status();
  MetaCommand command;
  master_state::InitRootCommand init;
  init.mode = kRootMode;
  command.__set_init_root(init);
  RETURN_IF_ERROR(log->Propose(std::move(command)).status());
  LOG(kInfo, "master") << "created the root directory of a new namespace";
  return Status::Ok();
}

// Waits for SIGTERM or SIGINT (blocked in every thread), checking chunk server liveness while
// it waits. Returns the signal.
int WaitForShutdown(const sigset_t& signals, ChunkServerRegistry* registry) {
  while (true) {
    timespec interval{1, 0};
    int signal = sigtimedwait(&signals, nullptr, &interval);
    if (signal > 0) return signal;
    registry->CheckLiveness();
  }
}

int Run(const MasterOptions& options) {
  std::error_code error;
  std::filesystem::create_directories(options.data_dir, error);
  if (error) {
    LOG(kError, "master") << "cannot create --data-dir " << options.data_dir << ": "
                          << error.message();
    return 1;
  }
  std::string db_dir = (std::filesystem::path(options.data_dir) / "meta").string();
  Result<std::unique_ptr<StateMachine>> state = StateMachine::Open(db_dir, {});
  if (!state.ok()) {
    LOG(kError, "master") << "cannot open metadata in " << db_dir << ": "
                          << state.status().ToString();
    return 1;
  }
  SystemClock clock;
  LocalCommandLog log(state->get(), &clock);
  if (Status root = EnsureRoot(**state, &log); !root.ok()) {
    LOG(kError, "master") << "cannot create the root directory: " << root.ToString();
    return 1;
  }

  ChunkServerRegistry registry(&clock, options.chunkserver_timeout_ms);
  MasterServiceOptions service_options;
  service_options.default_goal = options.default_goal;
  service_options.advertised_address = options.listen.ToString();
  auto handler =
      std::make_shared<MasterServiceHandler>(service_options, &log, state->get(), &registry);
  auto processor_factory = std::make_shared<rpc::MasterServiceProcessorFactory>(
      std::make_shared<rpc::MasterServiceIfSingletonFactory>(handler));
  RpcServer server(processor_factory, options.listen);
  if (Status started = server.Start(); !started.ok()) {
    LOG(kError, "master") << "cannot listen on " << options.listen.ToString() << ": "
                          << started.ToString();
    return 1;
  }
  MetaCounters counters = (*state)->Counters();
  LOG(kInfo, "master") << "master ready on " << options.listen.ToString() << " (data "
                       << options.data_dir << ", applied index " << counters.applied_index << ", "
                       << counters.inode_count << " inodes, " << counters.chunk_count
                       << " chunks, default goal " << options.default_goal << ")";

  int signal = WaitForShutdown(ShutdownSignals(), &registry);
  LOG(kInfo, "master") << "signal " << signal << ": shutting down";
  server.Stop();
  LOG(kInfo, "master") << "stopped";
  return 0;
}

}  // namespace
}  // namespace tessera::master

int main(int argc, char** argv) {
  using namespace tessera;
  Result<master::MasterOptions> options = master::ParseMasterOptions(argc, argv);
  if (!options.ok()) {
    std::cerr << "tessera-master: " << options.status().message() << "\n" << master::MasterUsage();
    return 2;
  }
  if (options->help_requested) {
    std::cout << master::MasterUsage();
    return 0;
  }
  SetLogLevel(options->log_level);
  BlockShutdownSignals();  // before any thread starts; WaitForShutdown takes them
  return master::Run(*options);
}
