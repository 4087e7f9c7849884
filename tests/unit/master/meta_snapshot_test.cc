// Namespace snapshots end to end: a state machine's database streamed through
// MetaSnapshotReader into MetaSnapshotBuilder, installed through MetaDirectory and opened again.
#include "master/meta_snapshot.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>

#include "master/keys.h"
#include "master/lock_store.h"
#include "master/meta_directory.h"
#include "master_test_util.h"

namespace tessera::master::testing {
namespace {

using KeyValues = std::map<std::string, std::string>;

KeyValues Dump(const MetaStore& store) {
  KeyValues all;
  Status scanned =
      store.ForEach([&](std::string_view key, std::string_view value) { all.emplace(key, value); });
  EXPECT_TRUE(scanned.ok()) << scanned.ToString();
  return all;
}

raft::SnapshotMeta MetaAt(raft::LogIndex index) {
  raft::SnapshotMeta meta;
  meta.index = index;
  meta.term = 4;
  meta.membership.voters = {{1, "127.0.0.1:7001"}, {2, "127.0.0.1:7002"}, {3, "127.0.0.1:7003"}};
  return meta;
}

std::unique_ptr<MetaSnapshotReader> OpenReader(std::shared_ptr<const MetaStore> store) {
  auto reader = MetaSnapshotReader::Open(std::move(store));
  EXPECT_TRUE(reader.ok()) << reader.status().ToString();
  return std::move(reader).value();
}

// The whole stream, read in chunks of at most `max_bytes`.
std::string ReadAll(MetaSnapshotReader& reader, uint64_t max_bytes) {
  std::string stream;
  while (true) {
    Result<raft::SnapshotChunk> chunk = reader.Read(stream.size(), max_bytes);
    EXPECT_TRUE(chunk.ok()) << chunk.status().ToString();
    if (!chunk.ok()) return stream;
    EXPECT_LE(chunk->data.size(), max_bytes);
    EXPECT_TRUE(!chunk->data.empty() || chunk->last) << "a chunk before the end holds bytes";
    stream += chunk->data;
    if (chunk->last) return stream;
  }
}

class MetaSnapshotTest : public MasterStateTest {
 protected:
  // A namespace of a few thousand keys: directories, files in them, chunks of some files.
  void Fill(int directories, int files_per_directory) {
    for (int d = 0; d < directories; ++d) {
      int64_t dir = MustCreate(Mkdir(kRootInode, "dir" + std::to_string(d)));
      for (int f = 0; f < files_per_directory; ++f) {
        int64_t file = MustCreate(Create(dir, "file-" + std::to_string(f)));
        if (f % 10 == 0) {
          ASSERT_TRUE(Propose(AllocateChunk(file, 0)).ok());
        }
      }
    }
  }

  // Builds a database in a new generation from `stream` fed in `chunk_bytes` pieces; returns
  // the first error of Write or Finish.
  Status Build(std::string_view stream, size_t chunk_bytes, const raft::SnapshotMeta& meta) {
    Result<std::string> path = directory_.NewGenerationPath();
    RETURN_IF_ERROR(path.status());
    built_path_ = *path;
    ASSIGN_OR_RETURN(std::unique_ptr<MetaSnapshotBuilder> builder,
                     MetaSnapshotBuilder::Create(*path));
    for (size_t offset = 0; offset < stream.size(); offset += chunk_bytes) {
      RETURN_IF_ERROR(builder->Write(offset, stream.substr(offset, chunk_bytes)));
    }
    EXPECT_EQ(builder->bytes_written(), stream.size());
    return builder->Finish(meta);
  }

  // Installs what Build made and opens it as the live database.
  std::shared_ptr<MetaStore> InstallBuilt() {
    Status installed = directory_.Install(built_path_);
    EXPECT_TRUE(installed.ok()) << installed.ToString();
    EXPECT_TRUE(directory_.RemoveStale().ok());
    auto store = MetaStore::Open(directory_.LivePath(), {});
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return std::move(store).value();
  }

  // The state machine's database streamed in chunks of `chunk_bytes`, built and installed;
  // expects it to hold every key of the source. Returns the installed database.
  std::shared_ptr<MetaStore> RoundTrip(uint64_t chunk_bytes) {
    KeyValues expected = Dump(*state_->CurrentStore());
    std::unique_ptr<MetaSnapshotReader> reader = OpenReader(state_->CurrentStore());
    std::string stream = ReadAll(*reader, chunk_bytes);
    raft::SnapshotMeta meta = MetaAt(reader->Index());
    EXPECT_TRUE(Build(stream, chunk_bytes, meta).ok());
    std::shared_ptr<MetaStore> restored = InstallBuilt();
    EXPECT_EQ(Dump(*restored), Restored(expected, meta));
    return restored;
  }

  // Every key of the source plus the restored-from meta.
  static KeyValues Restored(KeyValues source, const raft::SnapshotMeta& meta) {
    source[std::string(kRestoredFromKey)] = meta.Encode();
    return source;
  }

  // Builds from a stream that must be refused; the abandoned build must leave nothing behind.
  Status CorruptBuild(std::string_view stream, const raft::SnapshotMeta& meta) {
    Status status = Build(stream, 1000, meta);
    EXPECT_FALSE(std::filesystem::exists(built_path_)) << "a failed build leaves no directory";
    return status;
  }

  TempDir data_dir_;
  MetaDirectory directory_ = std::move(MetaDirectory::Open(data_dir_.path())).value();
  std::string built_path_;
};

class MetaSnapshotChunkTest : public MetaSnapshotTest,
                              public ::testing::WithParamInterface<uint64_t> {};

TEST_P(MetaSnapshotChunkTest, StreamedDatabaseInstallsIdentically) {
  Fill(20, 100);
  std::shared_ptr<MetaStore> source = state_->CurrentStore();
  KeyValues expected = Dump(*source);
  ASSERT_GT(expected.size(), 4000u);
  std::unique_ptr<MetaSnapshotReader> reader = OpenReader(source);
  EXPECT_EQ(reader->Index(), static_cast<raft::LogIndex>(state_->Counters().applied_index));
  std::string stream = ReadAll(*reader, GetParam());

  raft::SnapshotMeta meta = MetaAt(reader->Index());
  ASSERT_TRUE(Build(stream, GetParam(), meta).ok());
  std::shared_ptr<MetaStore> restored = InstallBuilt();
  EXPECT_EQ(Dump(*restored), Restored(expected, meta));
  Result<std::optional<raft::SnapshotMeta>> restored_from = ReadRestoredFrom(*restored);
  ASSERT_TRUE(restored_from.ok());
  EXPECT_EQ(*restored_from, meta);
  Result<MetaCounters> counters = restored->ReadCounters();
  ASSERT_TRUE(counters.ok());
  EXPECT_EQ(counters->applied_index, state_->Counters().applied_index);

  // Survives a restart of the directory and the database.
  restored.reset();
  MetaDirectory reopened = std::move(MetaDirectory::Open(data_dir_.path())).value();
  auto again = std::move(MetaStore::Open(reopened.LivePath(), {})).value();
  EXPECT_EQ(Dump(*again), Restored(expected, meta));
}

INSTANTIATE_TEST_SUITE_P(ChunkSizes, MetaSnapshotChunkTest,
                         ::testing::Values(uint64_t{1} << 10, uint64_t{1} << 20));

TEST_F(MetaSnapshotTest, FramesLargerThanAChunkStillGoThrough) {
  Fill(2, 5);
  KeyValues expected = Dump(*state_->CurrentStore());
  std::unique_ptr<MetaSnapshotReader> reader = OpenReader(state_->CurrentStore());
  std::string stream = ReadAll(*reader, 7);  // smaller than any record
  raft::SnapshotMeta meta = MetaAt(reader->Index());
  ASSERT_TRUE(Build(stream, 3, meta).ok());
  EXPECT_EQ(Dump(*InstallBuilt()), Restored(expected, meta));
}

// Extended attributes are plain keys of the database, so a snapshot carries them, values of
// 64 KiB (larger than a chunk) included.
TEST_F(MetaSnapshotTest, XattrsTravelInSnapshots) {
  Fill(1, 3);
  int64_t file = MustCreate(Create(kRootInode, "with-xattrs"));
  const std::string big(64 << 10, 'x');
  ASSERT_TRUE(Propose(SetXattr(file, "user.big", big)).ok());
  ASSERT_EQ(Dump(*state_->CurrentStore()).count(XattrKey(file, "user.big")), 1u);
  std::shared_ptr<MetaStore> restored = RoundTrip(1 << 10);
  Result<std::optional<std::string>> value = restored->GetXattr(file, "user.big");
  ASSERT_TRUE(value.ok() && value->has_value());
  EXPECT_EQ(**value, big);
}

// An unlinked file still open somewhere (ops/unlinked_inode.cc) is a record like any other: a
// master restored from a snapshot keeps it unnamed, with its chunks, and can still free it.
TEST_F(MetaSnapshotTest, UnlinkedInodesTravelInSnapshots) {
  Fill(1, 3);
  int64_t file = MustCreate(Create(kRootInode, "open-elsewhere"));
  Result<ApplyResult> chunk = Propose(AllocateChunk(file, 0));
  ASSERT_TRUE(chunk.ok());
  ASSERT_TRUE(Propose(Unlink(kRootInode, "open-elsewhere")).ok());
  ASSERT_EQ(Dump(*state_->CurrentStore()).count(UnlinkedInodeKey(file)), 1u);
  std::shared_ptr<MetaStore> restored = RoundTrip(1 << 10);
  Result<std::vector<UnlinkedInodeRecord>> unlinked = restored->ListUnlinkedInodes();
  ASSERT_TRUE(unlinked.ok()) << unlinked.status().ToString();
  ASSERT_EQ(unlinked->size(), 1u);
  EXPECT_EQ((*unlinked)[0].inode, file);
  EXPECT_TRUE(restored->GetChunk(file, 0).ok() && restored->GetChunk(file, 0)->has_value());
  ASSERT_TRUE(state_->ReplaceStore(restored).ok());
  Result<ApplyResult> freed = Propose(FreeUnlinkedInode(file));
  ASSERT_TRUE(freed.ok()) << freed.status().ToString();
  EXPECT_EQ(freed->freed_chunk_ids, (std::vector<int64_t>{chunk->chunk->chunk_id}));
}

// File locks and expired mounts are keys of the database too: a master that catches up from a
// snapshot knows every lock and every dead mount (master/lock_store.h).
TEST_F(MetaSnapshotTest, LocksTravelInSnapshots) {
  int64_t file = MustCreate(Create(kRootInode, "locked"));
  HeldLock lock;
  lock.mount_id = 77;
  lock.owner = 3;
  lock.type = rpc::LockType::WRITE;
  lock.start = 10;
  lock.end = kLockToEof;
  MetaCommand set;
  set.__set_set_lock(SetLockCommandOf(file, lock));
  ASSERT_TRUE(Propose(set).ok());
  master_state::ExpireMountCommand expire;
  expire.mount_id = 78;
  MetaCommand expire_command;
  expire_command.__set_expire_mount(expire);
  ASSERT_TRUE(Propose(expire_command).ok());
  std::shared_ptr<MetaStore> restored = RoundTrip(1 << 10);
  Result<std::vector<HeldLock>> locks = ListLocks(*restored, file);
  ASSERT_TRUE(locks.ok());
  EXPECT_EQ(*locks, std::vector<HeldLock>{lock});
  Result<bool> expired = IsMountExpired(*restored, 78);
  ASSERT_TRUE(expired.ok());
  EXPECT_TRUE(*expired);
}

TEST_F(MetaSnapshotTest, ReaderRestartsAndRepeatsChunks) {
  Fill(3, 30);
  std::unique_ptr<MetaSnapshotReader> reader = OpenReader(state_->CurrentStore());
  std::string whole = ReadAll(*reader, uint64_t{1} << 30);

  // Start over after a partial read, repeat the last chunk, and jump back to an old chunk end.
  std::unique_ptr<MetaSnapshotReader> again = OpenReader(state_->CurrentStore());
  std::vector<uint64_t> chunk_ends;
  std::string stream;
  for (int i = 0; i < 5; ++i) {
    Result<raft::SnapshotChunk> chunk = again->Read(stream.size(), 200);
    ASSERT_TRUE(chunk.ok());
    stream += chunk->data;
    chunk_ends.push_back(stream.size());
  }
  Result<raft::SnapshotChunk> from_start = again->Read(0, 200);
  ASSERT_TRUE(from_start.ok());
  EXPECT_EQ(from_start->data, whole.substr(0, from_start->data.size()));
  Result<raft::SnapshotChunk> next = again->Read(from_start->data.size(), 200);
  Result<raft::SnapshotChunk> repeated = again->Read(from_start->data.size(), 200);
  ASSERT_TRUE(next.ok() && repeated.ok());
  EXPECT_EQ(next->data, repeated->data);
  Result<raft::SnapshotChunk> old = again->Read(chunk_ends[3], 200);
  ASSERT_TRUE(old.ok());
  EXPECT_EQ(old->data, whole.substr(chunk_ends[3], old->data.size()));
  // Reading on from there yields the rest of the same stream.
  stream = whole.substr(0, chunk_ends[3]) + old->data;
  while (true) {
    Result<raft::SnapshotChunk> chunk = again->Read(stream.size(), 200);
    ASSERT_TRUE(chunk.ok());
    stream += chunk->data;
    if (chunk->last) break;
  }
  EXPECT_EQ(stream, whole);
  // At the end: nothing more, still the last chunk.
  Result<raft::SnapshotChunk> end = again->Read(whole.size(), 200);
  ASSERT_TRUE(end.ok());
  EXPECT_TRUE(end->data.empty() && end->last);
}

TEST_F(MetaSnapshotTest, ReaderRefusesImpossibleRequests) {
  std::unique_ptr<MetaSnapshotReader> reader = OpenReader(state_->CurrentStore());
  std::string whole = ReadAll(*reader, 1 << 20);
  EXPECT_EQ(reader->Read(0, 0).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(reader->Read(whole.size() + 1, 100).status().code(), StatusCode::kInvalidArgument);
  // The reader still works afterwards.
  EXPECT_EQ(ReadAll(*reader, 100), whole);
}

TEST_F(MetaSnapshotTest, ReaderKeepsItsViewWhileCommandsApply) {
  Fill(5, 20);
  std::shared_ptr<MetaStore> source = state_->CurrentStore();
  KeyValues before = Dump(*source);
  raft::LogIndex index = static_cast<raft::LogIndex>(state_->Counters().applied_index);
  std::unique_ptr<MetaSnapshotReader> reader = OpenReader(source);

  Result<raft::SnapshotChunk> first = reader->Read(0, 1024);
  ASSERT_TRUE(first.ok());
  std::string stream = first->data;
  // New keys both before and after the ones already streamed, and some removed.
  MustCreate(Mkdir(kRootInode, "aaa-late"));
  MustCreate(Mkdir(kRootInode, "zzz-late"));
  ASSERT_TRUE(Propose(Unlink(2, "file-3")).ok());
  ASSERT_TRUE(Propose(Unlink(2, "file-4")).ok());
  ASSERT_NE(Dump(*source), before);
  // The reader owns its share of the database: it outlives the state machine.
  source.reset();
  log_.reset();
  state_.reset();

  EXPECT_EQ(reader->Index(), index);
  while (true) {
    Result<raft::SnapshotChunk> chunk = reader->Read(stream.size(), 1024);
    ASSERT_TRUE(chunk.ok());
    stream += chunk->data;
    if (chunk->last) break;
  }
  raft::SnapshotMeta meta = MetaAt(index);
  ASSERT_TRUE(Build(stream, 4096, meta).ok());
  EXPECT_EQ(Dump(*InstallBuilt()), Restored(before, meta));
}

TEST_F(MetaSnapshotTest, RestoredDatabaseStreamsWithoutItsHistory) {
  Fill(1, 10);
  KeyValues expected = Dump(*state_->CurrentStore());
  std::unique_ptr<MetaSnapshotReader> reader = OpenReader(state_->CurrentStore());
  raft::SnapshotMeta first_meta = MetaAt(reader->Index());
  ASSERT_TRUE(Build(ReadAll(*reader, 1 << 20), 1 << 20, first_meta).ok());
  std::shared_ptr<MetaStore> restored = InstallBuilt();

  // Streaming the restored database again carries the namespace, not where it came from.
  std::unique_ptr<MetaSnapshotReader> second = OpenReader(restored);
  raft::SnapshotMeta second_meta = MetaAt(second->Index());
  second_meta.term = 9;
  ASSERT_TRUE(Build(ReadAll(*second, 1 << 20), 1 << 20, second_meta).ok());
  second.reset();
  restored.reset();
  std::shared_ptr<MetaStore> twice = InstallBuilt();
  EXPECT_EQ(Dump(*twice), Restored(expected, second_meta));
  EXPECT_EQ(*ReadRestoredFrom(*twice), second_meta);
  EXPECT_EQ(*ReadRestoredFrom(*state_->CurrentStore()), std::nullopt);
}

TEST_F(MetaSnapshotTest, TruncatedStreamsAreCorruption) {
  Fill(2, 10);
  std::unique_ptr<MetaSnapshotReader> reader = OpenReader(state_->CurrentStore());
  std::string whole = ReadAll(*reader, 1 << 20);
  raft::SnapshotMeta meta = MetaAt(reader->Index());
  for (size_t cut : {size_t{0}, size_t{3}, size_t{5}, size_t{40}, whole.size() / 2,
                     whole.size() - 17, whole.size() - 1}) {
    Status status = CorruptBuild(whole.substr(0, cut), meta);
    EXPECT_EQ(status.code(), StatusCode::kCorruption)
        << "cut at " << cut << ": " << status.ToString();
  }
  // Complete, but followed by more bytes.
  EXPECT_EQ(CorruptBuild(whole + "R", meta).code(), StatusCode::kCorruption);
  // Complete, but of another index than the meta says.
  EXPECT_EQ(CorruptBuild(whole, MetaAt(meta.index + 1)).code(), StatusCode::kCorruption);
}

TEST_F(MetaSnapshotTest, DamagedStreamsAreCorruption) {
  Fill(2, 10);
  std::unique_ptr<MetaSnapshotReader> reader = OpenReader(state_->CurrentStore());
  std::string whole = ReadAll(*reader, 1 << 20);
  raft::SnapshotMeta meta = MetaAt(reader->Index());
  // Every byte position class: header, frame tags, lengths, keys, values, the end frame.
  for (size_t position = 0; position < whole.size(); position += 1 + position / 8) {
    std::string damaged = whole;
    damaged[position] ^= position % 2 == 0 ? 0x01 : 0x80;  // low and high bits of lengths
    Status status = CorruptBuild(damaged, meta);
    EXPECT_EQ(status.code(), StatusCode::kCorruption)
        << "byte " << position << " of " << whole.size() << ": " << status.ToString();
  }
}

TEST_F(MetaSnapshotTest, HostileLengthsAreRefusedBeforeBuffering) {
  std::string stream("TSNP\x01", 5);
  stream += 'R';
  AppendBigEndian64(&stream, 4);
  AppendBigEndian64(&stream, uint64_t{1} << 62);
  stream += "Mkey";
  Result<std::string> path = directory_.NewGenerationPath();
  ASSERT_TRUE(path.ok());
  auto builder = std::move(MetaSnapshotBuilder::Create(*path)).value();
  EXPECT_EQ(builder->Write(0, stream).code(), StatusCode::kCorruption);
  // Broken for good.
  EXPECT_EQ(builder->Write(stream.size(), "E").code(), StatusCode::kCorruption);
  EXPECT_EQ(builder->Finish(MetaAt(0)).code(), StatusCode::kCorruption);

  std::string unordered("TSNP\x01", 5);
  for (std::string key : {"b", "a"}) {
    unordered += 'R';
    AppendBigEndian64(&unordered, key.size());
    AppendBigEndian64(&unordered, 0);
    unordered += key;
  }
  EXPECT_EQ(CorruptBuild(unordered, MetaAt(0)).code(), StatusCode::kCorruption);
  EXPECT_EQ(CorruptBuild("not a snapshot", MetaAt(0)).code(), StatusCode::kCorruption);
}

TEST_F(MetaSnapshotTest, BuilderChecksOffsetsAndOwnsItsDirectory) {
  Result<std::string> path = directory_.NewGenerationPath();
  ASSERT_TRUE(path.ok());
  {
    auto builder = std::move(MetaSnapshotBuilder::Create(*path)).value();
    EXPECT_TRUE(builder->Write(0, "TS").ok());
    EXPECT_EQ(builder->Write(0, "NP").code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(builder->Write(3, "NP").code(), StatusCode::kInvalidArgument);
    EXPECT_TRUE(builder->Write(2, "NP").ok());
  }
  EXPECT_FALSE(std::filesystem::exists(*path)) << "an abandoned build is deleted";

  // A directory that holds a database already is refused, and left alone.
  std::unique_ptr<MetaSnapshotReader> reader = OpenReader(state_->CurrentStore());
  ASSERT_TRUE(Build(ReadAll(*reader, 1 << 20), 1 << 20, MetaAt(reader->Index())).ok());
  EXPECT_FALSE(MetaSnapshotBuilder::Create(built_path_).ok());
  EXPECT_TRUE(std::filesystem::exists(built_path_ + "/CURRENT"));
}

}  // namespace
}  // namespace tessera::master::testing
