// The checker must catch what it is there for: an operation applied twice, an acknowledged one
// lost, wrong bytes, an entry nobody created. Runs on a local temp directory, no cluster.
#include "tests/fault/workload_checker.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cerrno>
#include <filesystem>
#include <fstream>

#include "tests/fault/file_content.h"

namespace tessera::fault {
namespace {

namespace fs = std::filesystem;

class WorkloadCheckerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "tessera-checker-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { fs::remove_all(dir_); }

  JournalEntry Entry(Op op, const std::string& path, const std::string& result,
                     const std::string& target = "") {
    JournalEntry entry;
    entry.seq = ++seq_;
    entry.op = op;
    entry.path = path;
    entry.target = target;
    entry.result = result;
    entry.start_ns = entry.end_ns = seq_;
    if (op == Op::kCreate) {
      entry.content_id = 1000 + seq_;
      entry.size = ContentSize(entry.content_id);
    }
    return entry;
  }

  void WriteFile(const std::string& path, const JournalEntry& created) {
    std::ofstream(dir_ + "/" + path, std::ios::binary)
        << FileContent(created.content_id, created.size);
  }

  WorkloadReport Check(const std::vector<JournalEntry>& journal) {
    Result<WorkloadReport> report = CheckWorkload(journal, dir_);
    EXPECT_TRUE(report.ok()) << report.status().ToString();
    return report.ok() ? *report : WorkloadReport{};
  }

  std::string dir_;
  int64_t seq_ = 0;
};

TEST_F(WorkloadCheckerTest, JournalLinesRoundTrip) {
  JournalEntry entry = Entry(Op::kRename, "d1/f2", "rename:5", "r3");
  Result<JournalEntry> parsed = ParseJournalLine(FormatJournalLine(entry));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->Describe(), entry.Describe());
  EXPECT_EQ(parsed->error_number(), 5);
  EXPECT_EQ(parsed->start_ns, entry.start_ns);
  EXPECT_FALSE(ParseJournalLine("1 create f1").ok());
  EXPECT_FALSE(ParseJournalLine("1 chmod f1 - 0 0 ok 1 2").ok());
}

TEST_F(WorkloadCheckerTest, ATreeThatMatchesPasses) {
  JournalEntry dir = Entry(Op::kMkdir, "d1", "ok");
  JournalEntry kept = Entry(Op::kCreate, "d1/f2", "ok");
  JournalEntry moved = Entry(Op::kCreate, "f3", "ok");
  JournalEntry gone = Entry(Op::kCreate, "f4", "ok");
  JournalEntry unsure = Entry(Op::kCreate, "f5", "close:5");  // may or may not exist
  fs::create_directory(dir_ + "/d1");
  WriteFile("d1/f2", kept);
  WriteFile("d1/r6", moved);
  std::ofstream(dir_ + "/f5") << "partial";
  WorkloadReport report = Check({dir, kept, moved, gone, unsure,
                                 Entry(Op::kRename, "f3", "ok", "d1/r6"),
                                 Entry(Op::kUnlink, "f4", "ok")});
  EXPECT_TRUE(report.violations.empty()) << report.Summary();
  EXPECT_EQ(report.operations, 7);
  EXPECT_EQ(report.failed, 1);
  EXPECT_EQ(report.files, 2);
}

TEST_F(WorkloadCheckerTest, RetriesAppliedTwiceAreCaught) {
  JournalEntry file = Entry(Op::kCreate, "f1", "ok");
  WriteFile("f1", file);
  JournalEntry twice = Entry(Op::kCreate, "f2", "open:" + std::to_string(EEXIST));
  EXPECT_EQ(Check({file, twice}).violations.size(), 1u);
  JournalEntry rename = Entry(Op::kRename, "f1", "rename:" + std::to_string(ENOENT), "r3");
  EXPECT_EQ(Check({file, rename}).violations.size(), 1u);
  JournalEntry unlink = Entry(Op::kUnlink, "f1", "unlink:" + std::to_string(ENOENT));
  EXPECT_EQ(Check({file, unlink}).violations.size(), 1u);
  JournalEntry mkdir = Entry(Op::kMkdir, "d4", "mkdir:" + std::to_string(EEXIST));
  EXPECT_EQ(Check({file, mkdir}).violations.size(), 1u);
}

TEST_F(WorkloadCheckerTest, LostWrongAndUnknownEntriesAreCaught) {
  JournalEntry lost = Entry(Op::kCreate, "f1", "ok");
  EXPECT_EQ(Check({lost}).violations.size(), 1u) << "an acknowledged create is missing";

  JournalEntry changed = Entry(Op::kCreate, "f2", "ok");
  std::ofstream(dir_ + "/f2") << "not what was written";
  EXPECT_EQ(Check({changed}).violations.size(), 1u) << "a file holds other bytes";
  fs::remove(dir_ + "/f2");

  JournalEntry unlinked = Entry(Op::kCreate, "f3", "ok");
  WriteFile("f3", unlinked);
  EXPECT_EQ(Check({unlinked, Entry(Op::kUnlink, "f3", "ok")}).violations.size(), 1u)
      << "an acknowledged unlink was undone";

  EXPECT_EQ(Check({}).violations.size(), 1u) << "f3 was never created by this journal";
}

}  // namespace
}  // namespace tessera::fault
