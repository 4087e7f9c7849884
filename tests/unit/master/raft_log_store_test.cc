#include "master/raft_log_store.h"

#include <gtest/gtest.h>
#include <leveldb/db.h>

#include <memory>
#include <string>
#include <vector>

#include "master/keys.h"
#include "master_test_util.h"

namespace tessera::master::testing {
namespace {

using raft::EntryKind;
using raft::HardState;
using raft::LogEntry;
using raft::SnapshotMeta;
using raft::StoredState;

LogEntry Entry(raft::LogIndex index, raft::Term term, EntryKind kind = EntryKind::kCommand) {
  // Binary data, NULs included, of a length that differs per entry.
  std::string data = "entry " + std::to_string(index);
  data.push_back('\0');
  data.append(index % 7, static_cast<char>(0xff));
  return LogEntry{.term = term, .index = index, .kind = kind, .data = data};
}

std::vector<LogEntry> Entries(raft::LogIndex first, raft::LogIndex last, raft::Term term) {
  std::vector<LogEntry> entries;
  for (raft::LogIndex index = first; index <= last; ++index) entries.push_back(Entry(index, term));
  return entries;
}

SnapshotMeta Meta(raft::LogIndex index, raft::Term term) {
  SnapshotMeta meta;
  meta.index = index;
  meta.term = term;
  meta.membership.voters = {{1, "127.0.0.1:7001"}, {2, "127.0.0.1:7002"}};
  meta.membership.learners = {{3, "127.0.0.1:7003"}};
  return meta;
}

std::string EntryKeyOf(raft::LogIndex index) {
  std::string key = "E";
  AppendBigEndian64(&key, index);
  return key;
}

class RaftLogStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }

  // Closes and opens the store again, and loads it as the core does at start.
  StoredState Reopen() {
    store_.reset();
    auto opened = RaftLogStore::Open(path_);
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
    Result<StoredState> state = store_->Load();
    EXPECT_TRUE(state.ok()) << state.status().ToString();
    return state.ok() ? *state : StoredState{};
  }

  // Writes `value` under `key` behind the store's back, then reopens it (without loading).
  void WriteRaw(const std::string& key, const std::string* value) {
    store_.reset();
    leveldb::DB* raw = nullptr;
    ASSERT_TRUE(leveldb::DB::Open(leveldb::Options(), path_, &raw).ok());
    std::unique_ptr<leveldb::DB> db(raw);
    leveldb::WriteOptions options;
    if (value != nullptr) {
      ASSERT_TRUE(db->Put(options, key, *value).ok());
    } else {
      ASSERT_TRUE(db->Delete(options, key).ok());
    }
    db.reset();
    store_ = std::move(RaftLogStore::Open(path_)).value();
  }
  std::string ReadRaw(const std::string& key) {
    store_.reset();
    leveldb::DB* raw = nullptr;
    EXPECT_TRUE(leveldb::DB::Open(leveldb::Options(), path_, &raw).ok());
    std::unique_ptr<leveldb::DB> db(raw);
    std::string value;
    EXPECT_TRUE(db->Get(leveldb::ReadOptions(), key, &value).ok());
    db.reset();
    store_ = std::move(RaftLogStore::Open(path_)).value();
    return value;
  }

  void ExpectCorruptionNaming(const std::string& what) {
    Result<StoredState> state = store_->Load();
    ASSERT_FALSE(state.ok());
    EXPECT_EQ(state.status().code(), StatusCode::kCorruption) << state.status().ToString();
    EXPECT_NE(state.status().message().find(what), std::string::npos) << state.status().ToString();
  }

  TempDir dir_;
  std::string path_ = dir_.path() + "/raft";
  std::unique_ptr<RaftLogStore> store_;
};

TEST_F(RaftLogStoreTest, FreshStoreIsEmpty) {
  StoredState state = Reopen();
  EXPECT_EQ(state.hard_state, HardState{});
  EXPECT_FALSE(state.snapshot.has_value());
  EXPECT_TRUE(state.entries.empty());
}

TEST_F(RaftLogStoreTest, EveryCallSurvivesReopen) {
  ASSERT_TRUE(store_->SaveHardState({.term = 3, .voted_for = 2}).ok());
  std::vector<LogEntry> entries = {Entry(1, 1, EntryKind::kMembership), Entry(2, 1),
                                   Entry(3, 2, EntryKind::kNoop), Entry(4, 2)};
  entries[0].data = Meta(0, 0).membership.Encode();
  entries[3].data.clear();  // an empty payload is a valid entry
  ASSERT_TRUE(store_->Append(entries).ok());

  StoredState state = Reopen();
  EXPECT_EQ(state.hard_state, (HardState{.term = 3, .voted_for = 2}));
  EXPECT_FALSE(state.snapshot.has_value());
  EXPECT_EQ(state.entries, entries);

  ASSERT_TRUE(store_->CompactThrough(Meta(2, 1)).ok());
  ASSERT_TRUE(store_->SaveHardState({.term = 4, .voted_for = raft::kNoNode}).ok());
  state = Reopen();
  EXPECT_EQ(state.hard_state, (HardState{.term = 4, .voted_for = raft::kNoNode}));
  EXPECT_EQ(state.snapshot, Meta(2, 1));
  EXPECT_EQ(state.entries, std::vector<LogEntry>(entries.begin() + 2, entries.end()));
}

TEST_F(RaftLogStoreTest, TruncateFromThenAppendReplacesTheTail) {
  ASSERT_TRUE(store_->Append(Entries(1, 10, 1)).ok());
  ASSERT_TRUE(store_->TruncateFrom(6).ok());
  // The next entry must follow entry 5 now, and may not go back below its term.
  EXPECT_EQ(store_->Append(Entries(11, 11, 1)).code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(store_->Append(Entries(6, 8, 2)).ok());

  std::vector<LogEntry> expected = Entries(1, 5, 1);
  for (const LogEntry& entry : Entries(6, 8, 2)) expected.push_back(entry);
  EXPECT_EQ(Reopen().entries, expected);

  // After reopening, the bounds come from Load.
  ASSERT_TRUE(store_->TruncateFrom(8).ok());
  ASSERT_TRUE(store_->Append(Entries(8, 9, 3)).ok());
  expected.pop_back();
  for (const LogEntry& entry : Entries(8, 9, 3)) expected.push_back(entry);
  EXPECT_EQ(Reopen().entries, expected);
  // Truncating past the end drops nothing.
  ASSERT_TRUE(store_->TruncateFrom(100).ok());
  EXPECT_EQ(Reopen().entries, expected);
}

TEST_F(RaftLogStoreTest, CompactThroughKeepsLaterEntries) {
  ASSERT_TRUE(store_->Append(Entries(1, 4, 1)).ok());
  ASSERT_TRUE(store_->Append(Entries(5, 10, 2)).ok());
  ASSERT_TRUE(store_->CompactThrough(Meta(4, 1)).ok());
  StoredState state = Reopen();
  EXPECT_EQ(state.snapshot, Meta(4, 1));
  EXPECT_EQ(state.entries, Entries(5, 10, 2));

  // Compacting the whole log leaves it empty; appending continues after the snapshot.
  ASSERT_TRUE(store_->CompactThrough(Meta(10, 2)).ok());
  state = Reopen();
  EXPECT_EQ(state.snapshot, Meta(10, 2));
  EXPECT_TRUE(state.entries.empty());
  ASSERT_TRUE(store_->Append(Entries(11, 12, 2)).ok());
  EXPECT_EQ(Reopen().entries, Entries(11, 12, 2));
}

TEST_F(RaftLogStoreTest, ResetToSnapshotDropsTheWholeLog) {
  ASSERT_TRUE(store_->Append(Entries(1, 6, 1)).ok());
  ASSERT_TRUE(store_->CompactThrough(Meta(2, 1)).ok());
  ASSERT_TRUE(store_->ResetToSnapshot(Meta(50, 7)).ok());
  StoredState state = Reopen();
  EXPECT_EQ(state.snapshot, Meta(50, 7));
  EXPECT_TRUE(state.entries.empty());
  EXPECT_EQ(store_->Append(Entries(7, 7, 7)).code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(store_->Append(Entries(51, 53, 7)).ok());
  state = Reopen();
  EXPECT_EQ(state.entries, Entries(51, 53, 7));

  // A snapshot behind the current one also replaces everything.
  ASSERT_TRUE(store_->ResetToSnapshot(Meta(20, 5)).ok());
  state = Reopen();
  EXPECT_EQ(state.snapshot, Meta(20, 5));
  EXPECT_TRUE(state.entries.empty());
}

TEST_F(RaftLogStoreTest, BrokenPreconditionsAreRefusedAndChangeNothing) {
  store_ = std::move(RaftLogStore::Open(path_ + "-unloaded")).value();
  EXPECT_EQ(store_->Append(Entries(1, 1, 1)).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->SaveHardState({.term = 1}).code(), StatusCode::kInvalidArgument);
  Reopen();

  ASSERT_TRUE(store_->Append(Entries(1, 5, 2)).ok());
  ASSERT_TRUE(store_->CompactThrough(Meta(2, 2)).ok());
  LogEntry bad_kind = Entry(6, 2);
  bad_kind.kind = static_cast<EntryKind>(9);
  std::vector<LogEntry> gap = Entries(6, 6, 2);
  gap.push_back(Entry(8, 2));
  const std::vector<std::vector<LogEntry>> bad_appends = {
      {}, Entries(5, 6, 2), Entries(7, 7, 2), Entries(6, 6, 1), gap, {bad_kind}};
  for (const std::vector<LogEntry>& entries : bad_appends) {
    EXPECT_EQ(store_->Append(entries).code(), StatusCode::kInvalidArgument);
  }
  EXPECT_EQ(store_->TruncateFrom(2).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->TruncateFrom(1).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->CompactThrough(Meta(1, 2)).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->CompactThrough(Meta(6, 2)).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->CompactThrough(Meta(4, 3)).code(), StatusCode::kInvalidArgument);

  StoredState state = Reopen();
  EXPECT_EQ(state.snapshot, Meta(2, 2));
  EXPECT_EQ(state.entries, Entries(3, 5, 2));
}

TEST_F(RaftLogStoreTest, GarbageUnderAnEntryKeyIsCorruption) {
  ASSERT_TRUE(store_->Append(Entries(1, 5, 1)).ok());
  std::string garbage = "not an entry";
  WriteRaw(EntryKeyOf(3), &garbage);
  ExpectCorruptionNaming("E+3");
}

TEST_F(RaftLogStoreTest, FlippedByteInAnEntryIsCorruption) {
  ASSERT_TRUE(store_->Append(Entries(1, 5, 1)).ok());
  std::string value = ReadRaw(EntryKeyOf(4));
  value[value.size() / 2] ^= 0x01;
  WriteRaw(EntryKeyOf(4), &value);
  ExpectCorruptionNaming("E+4");
}

TEST_F(RaftLogStoreTest, EntryUnderTheWrongKeyIsCorruption) {
  ASSERT_TRUE(store_->Append(Entries(1, 5, 1)).ok());
  std::string value = ReadRaw(EntryKeyOf(2));
  WriteRaw(EntryKeyOf(3), &value);
  ExpectCorruptionNaming("E+3");
}

TEST_F(RaftLogStoreTest, MissingEntryIsCorruption) {
  ASSERT_TRUE(store_->Append(Entries(1, 5, 1)).ok());
  WriteRaw(EntryKeyOf(3), nullptr);
  ExpectCorruptionNaming("E+4");
}

TEST_F(RaftLogStoreTest, EntryLeftBeforeTheSnapshotIsCorruption) {
  ASSERT_TRUE(store_->Append(Entries(1, 5, 1)).ok());
  std::string compacted = ReadRaw(EntryKeyOf(2));
  ASSERT_TRUE(store_->Load().ok());
  ASSERT_TRUE(store_->CompactThrough(Meta(3, 1)).ok());
  WriteRaw(EntryKeyOf(2), &compacted);
  ExpectCorruptionNaming("E+2");
}

TEST_F(RaftLogStoreTest, FallingTermIsCorruption) {
  ASSERT_TRUE(store_->Append(Entries(1, 2, 1)).ok());
  ASSERT_TRUE(store_->Append(Entries(3, 4, 2)).ok());
  store_.reset();
  // A well-formed entry 4 of term 1, written by a store whose log held only term 1.
  TempDir other;
  {
    auto writer = std::move(RaftLogStore::Open(other.path())).value();
    ASSERT_TRUE(writer->Load().ok());
    ASSERT_TRUE(writer->Append(Entries(1, 4, 1)).ok());
  }
  leveldb::DB* raw = nullptr;
  ASSERT_TRUE(leveldb::DB::Open(leveldb::Options(), other.path(), &raw).ok());
  std::string value;
  ASSERT_TRUE(raw->Get(leveldb::ReadOptions(), EntryKeyOf(4), &value).ok());
  delete raw;
  WriteRaw(EntryKeyOf(4), &value);
  ExpectCorruptionNaming("E+4");
}

TEST_F(RaftLogStoreTest, MalformedHardStateAndSnapshotMetaAreCorruption) {
  std::string garbage = "xyz";
  WriteRaw("H", &garbage);
  ExpectCorruptionNaming("key H");
  std::string hard_state(16, '\0');
  WriteRaw("H", &hard_state);
  WriteRaw("S", &garbage);
  ExpectCorruptionNaming("key S");
}

TEST_F(RaftLogStoreTest, TenThousandEntriesInBatchesOfAHundred) {
  std::vector<LogEntry> all;
  for (raft::LogIndex first = 1; first <= 10000; first += 100) {
    std::vector<LogEntry> batch = Entries(first, first + 99, 1 + first / 1000);
    ASSERT_TRUE(store_->Append(batch).ok());
    all.insert(all.end(), batch.begin(), batch.end());
  }
  StoredState state = Reopen();
  ASSERT_EQ(state.entries.size(), 10000u);
  EXPECT_EQ(state.entries, all);

  ASSERT_TRUE(store_->CompactThrough(Meta(5000, all[4999].term)).ok());
  ASSERT_TRUE(store_->TruncateFrom(9001).ok());
  state = Reopen();
  EXPECT_EQ(state.snapshot, Meta(5000, all[4999].term));
  EXPECT_EQ(state.entries, std::vector<LogEntry>(all.begin() + 5000, all.begin() + 9000));
}

}  // namespace
}  // namespace tessera::master::testing
