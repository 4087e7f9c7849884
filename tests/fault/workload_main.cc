// tessera-fault-workload: a stream of metadata operations on a directory of a Tessera mount,
// each journaled with its outcome (workload_journal.h), for the fault tests and the failover
// benchmark. It creates files with O_CREAT|O_EXCL and known content, renames, unlinks and reads
// them back, and makes directories, only ever touching names it knows exist (workload_model.h).
//
//   tessera-fault-workload --dir DIR --journal FILE [--seed N] [--max-ops N] [--pause-us N]
//
// It runs until --max-ops operations are done or SIGTERM/SIGINT arrives. Those signals are
// blocked and looked at between operations, so no call on the mount is ever interrupted and the
// journal always ends with a complete line. Exit status: 0 when it stopped as asked, 1 on a
// violation seen while running (also journaled, so the checker finds it), 2 on bad usage or
// when the journal cannot be written.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <boost/program_options.hpp>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <iostream>
#include <iterator>
#include <optional>
#include <random>
#include <string>
#include <thread>

#include "tests/fault/file_content.h"
#include "tests/fault/workload_journal.h"
#include "tests/fault/workload_model.h"
#include "tests/fault/workload_ops.h"

namespace tessera::fault {
namespace {

namespace po = boost::program_options;

constexpr size_t kMinFiles = 8;
constexpr size_t kMaxDirs = 16;

struct WorkloadFlags {
  std::string dir;
  std::string journal;
  uint64_t seed = 1;
  int64_t max_ops = 0;  // 0: until a signal
  int pause_us = 0;     // between operations, to leave CPU to the daemons on small machines
};

int64_t MonotonicNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

class Workload {
 public:
  explicit Workload(const WorkloadFlags& flags) : flags_(flags), random_(flags.seed) {}

  // Chooses, runs and describes operation number `seq`.
  JournalEntry RunOne(int64_t seq) {
    JournalEntry entry = Choose(seq);
    entry.start_ns = MonotonicNanos();
    entry.result = Run(entry);
    entry.end_ns = MonotonicNanos();
    return entry;
  }

  WorkloadModel& model() { return model_; }

 private:
  JournalEntry Choose(int64_t seq) {
    JournalEntry entry;
    entry.seq = seq;
    const int dice = static_cast<int>(random_() % 100);
    const auto& files = model_.files();
    if (files.size() < kMinFiles || dice < 40) {
      entry.op = Op::kCreate;
      entry.path = InSomeDir("f" + std::to_string(seq));
      entry.content_id = flags_.seed * 1'000'000'007ULL + static_cast<uint64_t>(seq);
      entry.size = ContentSize(entry.content_id);
    } else if (dice < 48 && model_.dirs().size() < kMaxDirs) {
      entry.op = Op::kMkdir;
      entry.path = "d" + std::to_string(seq);
    } else {
      auto file = std::next(files.begin(), static_cast<long>(random_() % files.size()));
      entry.path = file->first;
      if (dice < 65) {
        entry.op = Op::kRename;
        entry.target = InSomeDir("r" + std::to_string(seq));
      } else if (dice < 80) {
        entry.op = Op::kUnlink;
      } else {
        entry.op = Op::kRead;
        entry.content_id = file->second.content_id;
        entry.size = file->second.size;
      }
    }
    return entry;
  }

  // `name` at the top or in one of the directories known to exist.
  std::string InSomeDir(const std::string& name) {
    const auto& dirs = model_.dirs();
    const size_t pick = random_() % (dirs.size() + 1);
    if (pick == dirs.size()) return name;
    return *std::next(dirs.begin(), static_cast<long>(pick)) + "/" + name;
  }

  std::string Run(const JournalEntry& entry) {
    const std::string path = flags_.dir + "/" + entry.path;
    switch (entry.op) {
      case Op::kCreate:
        return CreateFile(path, entry.content_id, entry.size);
      case Op::kMkdir:
        return MakeDirectory(path);
      case Op::kRename:
        return RenameFile(path, flags_.dir + "/" + entry.target);
      case Op::kUnlink:
        return UnlinkFile(path);
      case Op::kRead:
        return ReadFile(path, entry.content_id, entry.size);
    }
    return "unknown:0";
  }

  const WorkloadFlags flags_;
  std::mt19937_64 random_;
  WorkloadModel model_;
};

bool StopRequested() {
  sigset_t pending;
  sigpending(&pending);
  return sigismember(&pending, SIGTERM) || sigismember(&pending, SIGINT);
}

bool WriteAll(int fd, const std::string& text) {
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

std::optional<WorkloadFlags> ParseFlags(int argc, char** argv) {
  po::options_description description("tessera-fault-workload options");
  description.add_options()("help", "print this help")(
      "dir", po::value<std::string>()->required(), "directory on the mount the workload owns")(
      "journal", po::value<std::string>()->required(), "journal file (appended; not on the mount)")(
      "seed", po::value<uint64_t>()->default_value(1), "random seed (> 0)")(
      "max-ops", po::value<int64_t>()->default_value(0), "stop after this many (0: on SIGTERM)")(
      "pause-us", po::value<int>()->default_value(0), "pause between operations");
  po::variables_map values;
  try {
    po::store(po::parse_command_line(argc, argv, description), values);
    if (values.count("help")) {
      std::cout << description;
      return std::nullopt;
    }
    po::notify(values);
  } catch (const po::error& e) {
    std::cerr << "tessera-fault-workload: " << e.what() << "\n" << description;
    return std::nullopt;
  }
  WorkloadFlags flags;
  flags.dir = values["dir"].as<std::string>();
  flags.journal = values["journal"].as<std::string>();
  flags.seed = values["seed"].as<uint64_t>();
  flags.max_ops = values["max-ops"].as<int64_t>();
  flags.pause_us = values["pause-us"].as<int>();
  if (flags.seed == 0 || flags.max_ops < 0 || flags.pause_us < 0) {
    std::cerr << "tessera-fault-workload: --seed must be > 0, --max-ops and --pause-us >= 0\n";
    return std::nullopt;
  }
  return flags;
}

int Main(int argc, char** argv) {
  std::optional<WorkloadFlags> flags = ParseFlags(argc, argv);
  if (!flags) return 2;
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  sigprocmask(SIG_BLOCK, &stop_signals, nullptr);

  const int journal = open(flags->journal.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (journal < 0) {
    std::cerr << "cannot open the journal " << flags->journal << ": " << strerror(errno) << "\n";
    return 2;
  }
  Workload workload(*flags);
  int64_t done = 0, failed = 0, violations = 0;
  while (!StopRequested() && (flags->max_ops == 0 || done < flags->max_ops)) {
    JournalEntry entry = workload.RunOne(done + 1);
    if (!WriteAll(journal, FormatJournalLine(entry))) {
      std::cerr << "cannot write the journal: " << strerror(errno) << "\n";
      return 2;
    }
    ++done;
    if (!entry.ok()) {
      ++failed;
      std::cerr << entry.Describe() << ": " << entry.DescribeResult() << "\n";
    }
    if (std::optional<std::string> violation = workload.model().Apply(entry)) {
      ++violations;
      std::cerr << "VIOLATION: " << *violation << "\n";
    }
    if (flags->pause_us > 0) std::this_thread::sleep_for(std::chrono::microseconds(flags->pause_us));
  }
  close(journal);
  std::cerr << "workload done: " << done << " operations, " << failed << " failed, "
            << violations << " violations\n";
  return violations == 0 ? 0 : 1;
}

}  // namespace
}  // namespace tessera::fault

int main(int argc, char** argv) { return tessera::fault::Main(argc, argv); }
