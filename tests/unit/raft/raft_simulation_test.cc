// The deterministic simulation as one test: many seeds (5,000 by default), each a whole Raft
// group under chaos (random_simulation.h). A failure names the seed and the command that replays
// exactly that run with the core's decisions and the simulation's events narrated.
//
// TESSERA_RAFT_SEED=N      replay seed N alone, verbosely
// TESSERA_RAFT_SEEDS=K     run K seeds (default 5000) starting at TESSERA_RAFT_FIRST_SEED (1)
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/logging.h"
#include "tests/unit/raft/random_simulation.h"

namespace tessera::raft::sim {
namespace {

uint64_t EnvOr(const char* name, uint64_t fallback) {
  const char* text = std::getenv(name);
  return text == nullptr ? fallback : std::strtoull(text, nullptr, 10);
}

std::string ReplayCommand(uint64_t seed) {
  std::error_code error;
  std::filesystem::path binary = std::filesystem::read_symlink("/proc/self/exe", error);
  return "TESSERA_RAFT_SEED=" + std::to_string(seed) + " " +
         (error ? "raft_unit_tests" : binary.string()) + " --gtest_filter='RaftSimulation.*'";
}

TEST(RaftSimulation, RandomSeedsStaySafeLinearizableAndLive) {
  const char* replay = std::getenv("TESSERA_RAFT_SEED");
  std::vector<uint64_t> seeds;
  if (replay != nullptr) {
    seeds.push_back(std::strtoull(replay, nullptr, 10));
    SetLogLevel(LogLevel::kInfo);
  } else {
    uint64_t first = EnvOr("TESSERA_RAFT_FIRST_SEED", 1);
    uint64_t count = EnvOr("TESSERA_RAFT_SEEDS", 5000);
    for (uint64_t i = 0; i < count; ++i) seeds.push_back(first + i);
    // Faults are injected on purpose; the core's error lines would only drown the report.
    SetLogLevel(static_cast<LogLevel>(static_cast<int>(LogLevel::kError) + 1));
  }

  std::mutex mu;
  std::vector<std::pair<uint64_t, std::string>> failures;
  SimulationStats total;
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t i = next++; i < seeds.size(); i = next++) {
      SimulationResult result =
          RunRandomSimulation(SimulationOptions{.seed = seeds[i], .verbose = replay != nullptr});
      std::lock_guard lock(mu);
      if (!result.failures.empty()) failures.emplace_back(seeds[i], result.failures.front());
      total += result.stats;
    }
  };
  unsigned threads = std::clamp(std::thread::hardware_concurrency(), 1u, 2u);
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t) pool.emplace_back(worker);
  for (std::thread& thread : pool) thread.join();

  std::sort(failures.begin(), failures.end());
  for (const auto& [seed, failure] : failures) {
    ADD_FAILURE() << "seed " << seed << ": " << failure << "\n  replay: " << ReplayCommand(seed);
  }
  std::cout << seeds.size() << " seeds: " << total.ticks << " ticks, " << total.messages
            << " messages, " << total.leaders_elected << " leaders, " << total.crashes
            << " crashes, " << total.injected_faults << " injected I/O faults, "
            << total.compactions << " compactions, " << total.snapshots_installed
            << " snapshots installed, " << total.membership_changes << " membership changes, "
            << total.transfers << " transfers, " << total.puts_acknowledged << " puts and "
            << total.gets_answered << " gets answered, " << total.operations_checked
            << " operations checked for linearizability\n";
  if (replay == nullptr && seeds.size() >= 100) {
    // A simulation that stopped exercising the hard parts would pass vacuously.
    EXPECT_GT(total.snapshots_installed, 0u);
    EXPECT_GT(total.membership_changes, 0u);
    EXPECT_GT(total.transfers, 0u);
    EXPECT_GT(total.injected_faults, 0u);
    EXPECT_GT(total.gets_answered, 0u);
    EXPECT_GT(total.puts_acknowledged, 0u);
  }
}

}  // namespace
}  // namespace tessera::raft::sim
