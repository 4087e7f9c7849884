// OpenFileReporter (client/open_file_reporter.h): what a mount tells the master it holds open.
#include "client/open_file_reporter.h"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "common/open_files.h"
#include "tests/unit/client/fakes.h"

namespace tessera::client::testing {
namespace {

constexpr int64_t kMountId = 77;
// Longer than any test: every report here comes from ReportOnce, none from the thread.
constexpr int kIntervalMs = 3'600'000;

TEST(OpenFileReporterTest, ReportsTheInodesWithAnOpenFileOnly) {
  FakeMaster master({});
  InodeRegistry inodes;
  OpenFileReporter reporter(master, inodes, kMountId, kIntervalMs);
  ASSERT_TRUE(reporter.ReportOnce().ok());
  EXPECT_TRUE(master.open_file_reports().empty());  // nothing open: nothing to say

  std::shared_ptr<InodeState> open_a = inodes.GetOrCreate(12, 0);
  std::shared_ptr<InodeState> open_b = inodes.GetOrCreate(5, 0);
  ASSERT_TRUE(reporter.ReportOnce().ok());
  open_a.reset();  // closed
  ASSERT_TRUE(reporter.ReportOnce().ok());
  auto reports = master.open_file_reports();
  ASSERT_EQ(reports.size(), 2u);
  EXPECT_EQ(reports[0].first, kMountId);
  EXPECT_EQ(reports[0].second, (std::vector<int64_t>{5, 12}));
  EXPECT_EQ(reports[1].second, (std::vector<int64_t>{5}));
  EXPECT_EQ(reporter.counters().reports_sent, 2u);
}

TEST(OpenFileReporterTest, SplitsLargeSetsIntoReportsTheMasterAccepts) {
  FakeMaster master({});
  InodeRegistry inodes;
  OpenFileReporter reporter(master, inodes, kMountId, kIntervalMs);
  std::vector<std::shared_ptr<InodeState>> open;
  const int count = kMaxOpenFilesPerReport * 2 + 3;
  for (int i = 1; i <= count; ++i) open.push_back(inodes.GetOrCreate(i, 0));
  ASSERT_TRUE(reporter.ReportOnce().ok());
  auto reports = master.open_file_reports();
  ASSERT_EQ(reports.size(), 3u);
  size_t total = 0;
  for (const auto& report : reports) {
    EXPECT_LE(report.second.size(), static_cast<size_t>(kMaxOpenFilesPerReport));
    total += report.second.size();
  }
  EXPECT_EQ(total, static_cast<size_t>(count));
}

}  // namespace
}  // namespace tessera::client::testing
