// A sanitizer report of a child must fail the test that started it: the detector must find each
// runtime's report and nothing else, and DaemonProcess must turn a report into a test failure
// when it reaps the child, for this start of the child only.
#include "tests/integration/sanitizer_report.h"

#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "tests/integration/daemon_process.h"

namespace tessera::testing {
namespace {

TEST(SanitizerReportTest, FindsEachRuntimesReportFromItsFirstLine) {
  const std::string asan =
      "I0101 master started\n=================\n==7==ERROR: AddressSanitizer: heap-use-after-free "
      "on address 0x1\n    #0 0x2 in f a.cc:3\n";
  EXPECT_EQ(FindSanitizerReport(asan),
            "==7==ERROR: AddressSanitizer: heap-use-after-free on address 0x1\n    #0 0x2 in f "
            "a.cc:3\n");
  EXPECT_EQ(FindSanitizerReport("x\n==9==ERROR: LeakSanitizer: detected memory leaks\n"),
            "==9==ERROR: LeakSanitizer: detected memory leaks\n");
  EXPECT_EQ(FindSanitizerReport("master/raft.cc:12:7: runtime error: signed integer overflow"),
            "master/raft.cc:12:7: runtime error: signed integer overflow");
  EXPECT_EQ(FindSanitizerReport("WARNING: ThreadSanitizer: data race (pid=3)\n"),
            "WARNING: ThreadSanitizer: data race (pid=3)\n");
  EXPECT_EQ(FindSanitizerReport("==1==ERROR: LeakSanitizer: x", 12), "==1==ERROR: ");
}

TEST(SanitizerReportTest, OrdinaryLogsAndErrorsAreNoReport) {
  EXPECT_EQ(FindSanitizerReport(""), "");
  EXPECT_EQ(FindSanitizerReport("E0101 chunk 12 read failed: I/O error (runtime 3 ms)\n"
                                "error: cannot bind 127.0.0.1:5: Address in use\n"),
            "");
}

class DaemonProcessReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log_ = (std::filesystem::temp_directory_path() /
            ("tessera-report-test-" + std::to_string(getpid()) + ".log"))
               .string();
    std::filesystem::remove(log_);
  }
  void TearDown() override { std::filesystem::remove(log_); }

  DaemonProcess Child(const std::string& script) {
    return DaemonProcess("child", {"/bin/sh", "-c", script}, log_);
  }

  std::string log_;
};

TEST_F(DaemonProcessReportTest, AReportInTheChildsLogFailsTheTest) {
  DaemonProcess child =
      Child("echo '==5==ERROR: LeakSanitizer: detected memory leaks' >&2; exit 23");
  ASSERT_TRUE(child.Start().ok());
  EXPECT_NONFATAL_FAILURE((void)child.WaitForExit(std::chrono::seconds(10)),
                          "had a sanitizer report");
  EXPECT_FALSE(child.Running());
}

TEST_F(DaemonProcessReportTest, AnEarlierRunsReportInTheSameLogIsNotThisRunsFailure) {
  {
    DaemonProcess first = Child("echo 'x.cc:1:2: runtime error: shift exponent 64' >&2");
    ASSERT_TRUE(first.Start().ok());
    EXPECT_NONFATAL_FAILURE((void)first.WaitForExit(std::chrono::seconds(10)), "runtime error");
    EXPECT_FALSE(first.Running());
  }
  DaemonProcess second = Child("echo clean run");
  ASSERT_TRUE(second.Start().ok());
  Result<int> exited = second.WaitForExit(std::chrono::seconds(10));
  ASSERT_TRUE(exited.ok()) << exited.status().ToString();
  EXPECT_EQ(*exited, 0);
}

}  // namespace
}  // namespace tessera::testing
