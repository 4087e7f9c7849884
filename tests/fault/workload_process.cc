#include "tests/fault/workload_process.h"

#include <sys/stat.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "tests/integration/test_cluster.h"

namespace tessera::fault {

int64_t MonotonicNowNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

Result<std::unique_ptr<WorkloadProcess>> WorkloadProcess::Start(const std::string& mountpoint,
                                                                const std::string& state_dir,
                                                                uint64_t seed, int pause_us) {
  const std::string name = "work-" + std::to_string(seed);
  const std::string dir = mountpoint + "/" + name;
  if (mkdir(dir.c_str(), 0755) != 0) {
    return Status::IoError("mkdir " + dir + ": " + strerror(errno));
  }
  const std::string journal = state_dir + "/" + name + ".journal";
  auto process = std::make_unique<testing::DaemonProcess>(
      "workload-" + std::to_string(seed),
      std::vector<std::string>{testing::BinaryDir() + "/tessera-fault-workload", "--dir", dir,
                               "--journal", journal, "--seed", std::to_string(seed),
                               "--pause-us", std::to_string(pause_us)},
      state_dir + "/" + name + ".log");
  RETURN_IF_ERROR(process->Start());
  return std::unique_ptr<WorkloadProcess>(new WorkloadProcess(dir, journal, std::move(process)));
}

Result<ProgressSince> WorkloadProcess::WaitForSuccessesSince(int64_t since_ns, int64_t count,
                                                             std::chrono::milliseconds deadline) {
  auto give_up = std::chrono::steady_clock::now() + deadline;
  ProgressSince progress;
  while (std::chrono::steady_clock::now() < give_up) {
    if (!process_->Running()) {
      return Status::Internal("the workload exited early:\n" + process_->LogTail());
    }
    Result<std::vector<JournalEntry>> journal = ReadJournal(journal_path_);
    if (journal.ok()) {
      progress = ProgressAfter(*journal, since_ns);
      if (progress.succeeded >= count) return progress;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return Status::Unavailable("the workload did " + std::to_string(progress.succeeded) + " of " +
                             std::to_string(count) + " operations in time; its log:\n" +
                             process_->LogTail());
}

Status WorkloadProcess::Stop() {
  if (!process_->Running()) {
    return Status::Internal("the workload had exited by itself:\n" + process_->LogTail());
  }
  // A generous grace: the current operation may wait for a master leader.
  Result<int> exited = process_->Stop(std::chrono::seconds(60));
  if (!exited.ok()) return exited.status();
  if (!WIFEXITED(*exited) || WEXITSTATUS(*exited) != 0) {
    return Status::Internal("the workload " + testing::DescribeWaitStatus(*exited) + ":\n" +
                            process_->LogTail());
  }
  return Status::Ok();
}

Result<WorkloadReport> WorkloadProcess::Check() const {
  ASSIGN_OR_RETURN(std::vector<JournalEntry> journal, ReadJournal(journal_path_));
  return CheckWorkload(journal, dir_);
}

}  // namespace tessera::fault
