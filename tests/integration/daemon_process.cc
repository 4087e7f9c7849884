#include "tests/integration/daemon_process.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/integration/sanitizer_report.h"

namespace tessera::testing {

DaemonProcess::DaemonProcess(std::string name, std::vector<std::string> argv, std::string log_path)
    : name_(std::move(name)), argv_(std::move(argv)), log_path_(std::move(log_path)) {}

DaemonProcess::~DaemonProcess() {
  if (pid_ > 0) (void)Stop(std::chrono::seconds(10));
}

Status DaemonProcess::Start() {
  if (pid_ > 0)
    return Status::Internal(name_ + " is already running as pid " + std::to_string(pid_));
  if (argv_.empty()) return Status::InvalidArgument(name_ + ": empty command line");
  // Everything the child needs is prepared before fork: after fork only async-signal-safe calls.
  std::vector<char*> args;
  for (std::string& arg : argv_) args.push_back(arg.data());
  args.push_back(nullptr);
  int log_fd = open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) return Status::IoError("cannot open " + log_path_ + ": " + strerror(errno));
  log_size_at_start_ = lseek(log_fd, 0, SEEK_END);
  pid_t parent = getpid();
  pid_t child = fork();
  if (child < 0) {
    close(log_fd);
    return Status::Internal(std::string("fork: ") + strerror(errno));
  }
  if (child == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);  // the test died between fork and prctl
    int null_fd = open("/dev/null", O_RDONLY);
    if (null_fd >= 0) dup2(null_fd, STDIN_FILENO);
    dup2(log_fd, STDOUT_FILENO);
    dup2(log_fd, STDERR_FILENO);
    execv(args[0], args.data());
    const char kMessage[] = "exec failed\n";
    (void)!write(STDERR_FILENO, kMessage, sizeof(kMessage) - 1);
    _exit(127);
  }
  close(log_fd);
  pid_ = child;
  return Status::Ok();
}

Status DaemonProcess::Signal(int signal) {
  if (pid_ <= 0) return Status::Internal(name_ + " is not running");
  if (kill(pid_, signal) != 0) {
    return Status::Internal("kill " + std::to_string(pid_) + ": " + strerror(errno));
  }
  return Status::Ok();
}

Result<int> DaemonProcess::WaitForExit(std::chrono::milliseconds deadline) {
  if (pid_ <= 0) return Status::Internal(name_ + " is not running");
  auto give_up = std::chrono::steady_clock::now() + deadline;
  while (true) {
    int wait_status = 0;
    pid_t reaped = waitpid(pid_, &wait_status, WNOHANG);
    if (reaped == pid_) {
      Reaped();
      return wait_status;
    }
    if (reaped < 0 && errno != EINTR) {
      pid_ = -1;
      return Status::Internal(name_ + ": waitpid: " + strerror(errno));
    }
    if (std::chrono::steady_clock::now() >= give_up) {
      return Status::Unavailable(name_ + " (pid " + std::to_string(pid_) +
                                 ") did not exit in time");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

Result<int> DaemonProcess::Stop(std::chrono::milliseconds grace) {
  RETURN_IF_ERROR(Signal(SIGTERM));
  Result<int> exited = WaitForExit(grace);
  if (exited.ok()) return exited;
  RETURN_IF_ERROR(Signal(SIGKILL));
  return WaitForExit(std::chrono::seconds(10));
}

Status DaemonProcess::Kill() {
  RETURN_IF_ERROR(Signal(SIGKILL));
  Result<int> exited = WaitForExit(std::chrono::seconds(10));
  return exited.status();
}

bool DaemonProcess::Running() {
  if (pid_ <= 0) return false;
  int wait_status = 0;
  if (waitpid(pid_, &wait_status, WNOHANG) == pid_) {
    Reaped();
    return false;
  }
  return true;
}

void DaemonProcess::Reaped() {
  const pid_t pid = pid_;
  pid_ = -1;
  std::ifstream in(log_path_, std::ios::binary);
  in.seekg(std::max<off_t>(log_size_at_start_, 0));
  std::stringstream output;
  output << in.rdbuf();
  const std::string report = FindSanitizerReport(output.str());
  if (!report.empty()) {
    ADD_FAILURE() << name_ << " (pid " << pid << ") had a sanitizer report in " << log_path_
                  << ":\n"
                  << report;
  }
}

std::string DaemonProcess::LogTail(size_t max_bytes) const {
  std::ifstream in(log_path_, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string log = buffer.str();
  if (log.size() > max_bytes) log = "..." + log.substr(log.size() - max_bytes);
  return log;
}

std::string DescribeWaitStatus(int wait_status) {
  if (WIFEXITED(wait_status)) return "exited with " + std::to_string(WEXITSTATUS(wait_status));
  if (WIFSIGNALED(wait_status)) return "killed by signal " + std::to_string(WTERMSIG(wait_status));
  return "wait status " + std::to_string(wait_status);
}

}  // namespace tessera::testing
