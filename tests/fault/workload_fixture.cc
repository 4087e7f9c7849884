#include "tests/fault/workload_fixture.h"

#include <iostream>

namespace tessera::fault {

void WorkloadFixture::StartWorkloadOn(const std::string& mountpoint, const std::string& state_dir,
                                      uint64_t seed) {
  Result<std::unique_ptr<WorkloadProcess>> started =
      WorkloadProcess::Start(mountpoint, state_dir, seed);
  ASSERT_TRUE(started.ok()) << started.status().ToString();
  workload_ = std::move(started).value();
  Result<ProgressSince> under_way =
      workload_->WaitForSuccessesSince(0, 2 * kProgressOps, kProgressDeadline);
  ASSERT_TRUE(under_way.ok()) << under_way.status().ToString();
}

ProgressSince WorkloadFixture::ExpectProgressSince(int64_t since_ns,
                                                   const std::string& after_what) {
  Result<ProgressSince> progress =
      workload_->WaitForSuccessesSince(since_ns, kProgressOps, kProgressDeadline);
  EXPECT_TRUE(progress.ok()) << "after " << after_what << ": " << progress.status().ToString();
  return progress.ok() ? *progress : ProgressSince{};
}

void WorkloadFixture::StopWorkloadAndCheck(WorkloadReport* report_out) {
  ASSERT_OK(workload_->Stop());
  Result<WorkloadReport> report = workload_->Check();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  std::cout << "[ workload ] " << report->Summary() << std::endl;
  RecordProperty("operations", std::to_string(report->operations));
  EXPECT_TRUE(report->violations.empty()) << report->Summary();
  EXPECT_GT(report->succeeded, 0);
  if (report_out != nullptr) *report_out = *report;
}

void WorkloadFixture::TearDownWorkload() {
  if (HasFailure() && workload_) std::cerr << "---- workload log\n" << workload_->LogTail() << "\n";
  workload_.reset();
}

}  // namespace tessera::fault
