// Applying the same log to two fresh databases gives byte-identical state.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "master_test_util.h"

namespace tessera::master::testing {
namespace {

std::map<std::string, std::string> Dump(const StateMachine& state) {
  std::map<std::string, std::string> all;
  Status scanned = state.CurrentStore()->ForEach(
      [&](std::string_view key, std::string_view value) { all.emplace(key, value); });
  EXPECT_TRUE(scanned.ok()) << scanned.ToString();
  return all;
}

// The log a leader would produce: ids and times filled in.
std::vector<MetaCommand> RecordedLog() {
  TempDir dir;
  ManualClock clock;
  auto state = OpenStateMachine(dir.path());
  std::vector<MetaCommand> recorded;
  LocalCommandLog log(state.get(), &clock, [&](int64_t index, const MetaCommand& entry) {
    EXPECT_EQ(index, static_cast<int64_t>(recorded.size() + 1));
    recorded.push_back(entry);
  });
  std::vector<MetaCommand> commands = {InitRoot(),
                                       Mkdir(kRootInode, "a"),
                                       Create(2, "f"),
                                       AllocateChunk(3, 0),
                                       AllocateChunk(3, 1),
                                       CommitWrite(3, kChunkSize + 10, 99),
                                       Mkdir(2, "b"),
                                       Rename(2, "f", 4, "g"),
                                       SetXattr(3, "user.goes", "with the file"),
                                       Create(kRootInode, "h"),
                                       SetXattr(5, "user.a", "1"),
                                       TouchAtime(5),
                                       SetXattr(5, "trusted.b", "2"),
                                       SetXattr(5, "user.a", "3", 1),  // refused: EEXIST
                                       RemoveXattr(5, "user.a"),
                                       Truncate(5, 0),
                                       Rename(kRootInode, "h", 4, "g"),
                                       Mkdir(kRootInode, "a"),  // refused: EEXIST
                                       Unlink(4, "g"),
                                       Rmdir(2, "b")};
  for (MetaCommand& command : commands) {
    clock.AdvanceMs(3);
    (void)log.Propose(std::move(command));
  }
  return recorded;
}

TEST(DeterminismTest, SameLogGivesByteIdenticalDatabases) {
  std::vector<MetaCommand> log = RecordedLog();
  TempDir first_dir;
  TempDir second_dir;
  auto first = OpenStateMachine(first_dir.path());
  auto second = OpenStateMachine(second_dir.path());
  for (size_t i = 0; i < log.size(); ++i) {
    // Each replica gets the entry through its encoded form, as from a replicated log.
    Result<MetaCommand> decoded = DecodeCommand(EncodeCommand(log[i]));
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    Result<ApplyResult> a = first->Apply(static_cast<int64_t>(i + 1), *decoded);
    Result<ApplyResult> b = second->Apply(static_cast<int64_t>(i + 1), *decoded);
    EXPECT_EQ(a.status(), b.status()) << "entry " << i + 1;
  }
  std::map<std::string, std::string> first_state = Dump(*first);
  EXPECT_GT(first_state.size(), 5u);
  EXPECT_EQ(first_state, Dump(*second));
  EXPECT_EQ(first->Counters().applied_index, static_cast<int64_t>(log.size()));
}

TEST(DeterminismTest, ReplayAfterRestartSkipsAppliedEntries) {
  std::vector<MetaCommand> log = RecordedLog();
  TempDir dir;
  std::map<std::string, std::string> before;
  {
    auto state = OpenStateMachine(dir.path());
    for (size_t i = 0; i < log.size(); ++i) (void)state->Apply(static_cast<int64_t>(i + 1), log[i]);
    before = Dump(*state);
  }
  auto state = OpenStateMachine(dir.path());
  // A restarted replica is handed the whole log again: nothing may change.
  for (size_t i = 0; i < log.size(); ++i) {
    Result<ApplyResult> replay = state->Apply(static_cast<int64_t>(i + 1), log[i]);
    ASSERT_TRUE(replay.ok());
    EXPECT_TRUE(replay->already_applied);
  }
  EXPECT_EQ(Dump(*state), before);
}

}  // namespace
}  // namespace tessera::master::testing
