// FileSystemImpl over in-memory fakes: write-back, pieces, commit, holes, fall-back, own writes.
#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>
#include <thread>

#include "client/file_system_impl.h"
#include "common/clock.h"
#include "common/names.h"
#include "tests/unit/client/fakes.h"

namespace tessera::client {
namespace {

using testing::FakeChunkServers;
using testing::FakeMaster;
using testing::Server;

constexpr int kPortA = 9501;
constexpr int kPortB = 9502;

std::span<const std::byte> Bytes(const std::string& text) {
  return std::as_bytes(std::span(text.data(), text.size()));
}

std::string Pattern(size_t size, int seed) {
  std::string out(size, '\0');
  for (size_t i = 0; i < size; ++i)
    out[i] = static_cast<char>((i * 131 + seed * 7 + i / 997) & 0xff);
  return out;
}

class FileSystemTest : public ::testing::Test {
 protected:
  void Start(ClientOptions options = {}) {
    options.masters = {{"127.0.0.1", 9400}};
    ASSERT_TRUE(ValidateClientOptions(options).ok());
    auto master = std::make_unique<FakeMaster>(
        std::vector<rpc::ChunkServerAddress>{Server(1, kPortA), Server(2, kPortB)});
    auto chunks = std::make_unique<FakeChunkServers>();
    master_ = master.get();
    chunks_ = chunks.get();
    fs_ = std::make_unique<FileSystemImpl>(options, std::move(master), std::move(chunks), clock_);
    Result<rpc::Attr> attr = fs_->Create(caller_, kRootInode, "file", 0644);
    ASSERT_TRUE(attr.ok()) << attr.status().ToString();
    inode_ = attr->inode;
  }

  std::unique_ptr<OpenFile> Open(bool writable) {
    Result<std::unique_ptr<OpenFile>> file = fs_->Open(caller_, inode_, writable);
    EXPECT_TRUE(file.ok()) << file.status().ToString();
    return file.ok() ? std::move(*file) : nullptr;
  }

  Result<std::string> ReadAll(OpenFile& file, int64_t offset, size_t length) {
    std::string out(length, '\xee');
    ASSIGN_OR_RETURN(size_t n, file.Read(offset, std::as_writable_bytes(std::span(out))));
    out.resize(n);
    return out;
  }

  SystemClock clock_;
  Caller caller_;
  FakeMaster* master_ = nullptr;
  FakeChunkServers* chunks_ = nullptr;
  std::unique_ptr<FileSystemImpl> fs_;
  int64_t inode_ = 0;
};

TEST_F(FileSystemTest, WritesAreSplitAtChunkBoundariesAndIntoPieces) {
  ClientOptions options;
  options.write_piece_bytes = 1 << 20;
  Start(options);
  auto file = Open(true);
  const int64_t start = kChunkSize - (3 << 19);  // 1.5 MiB before the boundary
  const std::string data = Pattern(3 << 20, 1);
  ASSERT_TRUE(file->Write(start, Bytes(data)).ok());
  ASSERT_TRUE(file->Flush().ok());

  std::vector<FakeChunkServers::WriteRecord> head_writes;
  for (const auto& write : chunks_->writes()) {
    if (write.port == kPortA) head_writes.push_back(write);
  }
  ASSERT_EQ(head_writes.size(), 4u);
  std::sort(head_writes.begin(), head_writes.end(), [](const auto& a, const auto& b) {
    return std::make_pair(a.chunk_id, a.offset) < std::make_pair(b.chunk_id, b.offset);
  });
  EXPECT_EQ(head_writes[0].offset, kChunkSize - (3 << 19));
  EXPECT_EQ(head_writes[0].size, size_t{1} << 20);
  EXPECT_EQ(head_writes[1].offset, kChunkSize - (1 << 19));
  EXPECT_EQ(head_writes[1].size, size_t{1} << 19);
  EXPECT_EQ(head_writes[2].offset, 0);
  EXPECT_EQ(head_writes[2].size, size_t{1} << 20);
  EXPECT_EQ(head_writes[3].offset, 1 << 20);
  EXPECT_EQ(head_writes[3].size, size_t{1} << 19);
  EXPECT_EQ(head_writes[0].chunk_id, head_writes[1].chunk_id);
  EXPECT_NE(head_writes[1].chunk_id, head_writes[2].chunk_id);
  for (const auto& write : head_writes) {
    EXPECT_EQ(write.downstream, 1u) << "the head forwards to the second replica";
    EXPECT_LE(write.offset + static_cast<int64_t>(write.size), kChunkSize);
  }
  EXPECT_EQ(master_->prepare_calls(), 2) << "one prepareWrite per chunk";
  EXPECT_EQ(chunks_->writes().size(), 8u) << "every piece reached both replicas";

  auto reader = Open(false);
  Result<std::string> back = ReadAll(*reader, start, data.size());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_TRUE(*back == data);
}

TEST_F(FileSystemTest, SizeIsCommittedByFlush) {
  Start();
  auto file = Open(true);
  ASSERT_TRUE(file->Write(100, Bytes("0123456789")).ok());
  EXPECT_TRUE(master_->commits().empty()) << "nothing is committed before Flush";
  EXPECT_EQ(master_->size(inode_), 0);
  ASSERT_TRUE(file->Flush().ok());
  ASSERT_EQ(master_->commits().size(), 1u);
  EXPECT_EQ(master_->commits()[0], std::make_pair(inode_, int64_t{110}));
  EXPECT_EQ(master_->size(inode_), 110);
  ASSERT_TRUE(file->Flush().ok());
  EXPECT_EQ(master_->commits().size(), 1u) << "a Flush without new writes commits nothing";
}

TEST_F(FileSystemTest, AnUnlinkedFileIsReachableOnlyThroughItsOpenDescriptors) {
  Start();
  auto file = Open(false);
  master_->UnlinkBehindTheClient(inode_);
  // Held open here (fstat, or a reopen through /proc): the file is still there.
  Result<rpc::Attr> held = fs_->GetAttr(caller_, inode_);
  ASSERT_TRUE(held.ok()) << held.status().ToString();
  EXPECT_EQ(held->nlink, 0);
  // Once closed, only a stale cached name could lead here: the name is gone.
  file.reset();
  EXPECT_EQ(fs_->GetAttr(caller_, inode_).status().code(), StatusCode::kNotFound);
}

TEST_F(FileSystemTest, WriteErrorSurfacesAtFlushAndFlushNeverSucceedsAfterIt) {
  Start();
  chunks_->FailWrites(kPortB, Status::IoError("disk on fire"));
  auto file = Open(true);
  ASSERT_TRUE(file->Write(0, Bytes("lost bytes")).ok()) << "buffered, not yet sent";
  Status flushed = file->Flush();
  EXPECT_EQ(flushed.code(), StatusCode::kIoError) << flushed.ToString();
  chunks_->FailWrites(kPortB, Status::Ok());
  EXPECT_FALSE(file->Flush().ok()) << "the first error is kept";
  EXPECT_FALSE(file->Write(20, Bytes("more")).ok());
  EXPECT_FALSE(file->Fsync().ok());
  EXPECT_TRUE(master_->commits().empty()) << "no size commit for unacknowledged data";
}

TEST_F(FileSystemTest, FsyncSyncsEveryWrittenChunkThroughTheChain) {
  Start();
  auto file = Open(true);
  ASSERT_TRUE(file->Write(0, Bytes("a")).ok());
  ASSERT_TRUE(file->Write(kChunkSize, Bytes("b")).ok());
  ASSERT_TRUE(file->Fsync().ok());
  auto syncs = chunks_->syncs();
  ASSERT_EQ(syncs.size(), 2u);
  EXPECT_EQ(syncs[0].first, kPortA);
  EXPECT_NE(syncs[0].second, syncs[1].second);
  EXPECT_EQ(master_->size(inode_), kChunkSize + 1);
  EXPECT_EQ(master_->metadata_syncs(), 1) << "fsync also makes the committed size durable";
}

TEST_F(FileSystemTest, HolesAndBytesPastStoredLengthReadAsZeros) {
  Start();
  auto file = Open(true);
  const int64_t tail = 2 * kChunkSize + 10;
  ASSERT_TRUE(file->Write(0, Bytes("xyz")).ok());
  ASSERT_TRUE(file->Write(tail, Bytes("abc")).ok());
  ASSERT_TRUE(file->Flush().ok());
  file.reset();

  auto reader = Open(false);
  // Chunk 0 stores 3 bytes; the rest of it, and all of chunk 1, read as zeros.
  Result<std::string> head = ReadAll(*reader, 0, 100);
  ASSERT_TRUE(head.ok()) << head.status().ToString();
  EXPECT_EQ(*head, std::string("xyz") + std::string(97, '\0'));
  Result<std::string> hole = ReadAll(*reader, kChunkSize + 5, 64);
  ASSERT_TRUE(hole.ok());
  EXPECT_EQ(*hole, std::string(64, '\0'));
  Result<std::string> across = ReadAll(*reader, 2 * kChunkSize - 4, 100);
  ASSERT_TRUE(across.ok());
  EXPECT_EQ(*across, std::string(14, '\0') + "abc") << "never past the file size";
  Result<std::string> past_end = ReadAll(*reader, tail + 3, 10);
  ASSERT_TRUE(past_end.ok());
  EXPECT_TRUE(past_end->empty());
}

TEST_F(FileSystemTest, ReadFallsBackToTheSecondReplica) {
  ClientOptions options;
  options.readahead_bytes = 0;
  Start(options);
  auto file = Open(true);
  ASSERT_TRUE(file->Write(0, Bytes("replicated")).ok());
  ASSERT_TRUE(file->Flush().ok());
  chunks_->FailReads(kPortA, Status::Corruption("checksum mismatch"));

  auto reader = Open(false);
  Result<std::string> data = ReadAll(*reader, 0, 10);
  ASSERT_TRUE(data.ok()) << data.status().ToString();
  EXPECT_EQ(*data, "replicated");
  EXPECT_EQ(chunks_->reads(kPortA), 1);
  EXPECT_EQ(chunks_->reads(kPortB), 1);

  // The failed replica is now tried last.
  ASSERT_TRUE(ReadAll(*reader, 0, 10).ok());
  EXPECT_EQ(chunks_->reads(kPortA), 1);
  EXPECT_EQ(chunks_->reads(kPortB), 2);

  // The corrupt replica was reported to the master (in the background) so it gets replaced.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (master_->corrupt_reports().empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  ASSERT_EQ(master_->corrupt_reports().size(), 1u);
  EXPECT_EQ(master_->corrupt_reports()[0].second, 1) << "server 1 holds the corrupt replica";

  chunks_->FailReads(kPortB, Status::Unavailable("down"));
  Result<std::string> none = ReadAll(*reader, 0, 10);
  EXPECT_EQ(none.status().code(), StatusCode::kIoError) << none.status().ToString();
}

TEST_F(FileSystemTest, OwnUnflushedWritesAreVisibleToReadAndGetAttr) {
  Start();
  auto writer = Open(true);
  auto reader = Open(false);
  ASSERT_TRUE(writer->Write(0, Bytes("hello")).ok());
  ASSERT_TRUE(writer->Write(5, Bytes(", world")).ok());

  Result<rpc::Attr> attr = fs_->GetAttr(caller_, inode_);
  ASSERT_TRUE(attr.ok());
  EXPECT_EQ(attr->size, 12);
  EXPECT_EQ(master_->size(inode_), 0) << "not committed yet";

  Result<std::string> data = ReadAll(*reader, 0, 100);
  ASSERT_TRUE(data.ok()) << data.status().ToString();
  EXPECT_EQ(*data, "hello, world");
  Result<std::string> own = ReadAll(*writer, 7, 5);
  ASSERT_TRUE(own.ok());
  EXPECT_EQ(*own, "world");
}

TEST_F(FileSystemTest, TruncateFlushesFirstAndShrinks) {
  Start();
  auto file = Open(true);
  ASSERT_TRUE(file->Write(0, Bytes(std::string(1000, 'x'))).ok());
  rpc::SetAttrRequest truncate;
  truncate.__set_size(10);
  Result<rpc::Attr> attr = fs_->SetAttr(caller_, inode_, truncate);
  ASSERT_TRUE(attr.ok()) << attr.status().ToString();
  EXPECT_EQ(attr->size, 10);
  ASSERT_TRUE(file->Flush().ok());
  EXPECT_EQ(master_->size(inode_), 10) << "the buffered write did not grow the file again";
  Result<std::string> data = ReadAll(*file, 0, 100);
  ASSERT_TRUE(data.ok());
  EXPECT_EQ(*data, std::string(10, 'x'));
}

TEST_F(FileSystemTest, BytesCutByATruncateReadAsZerosWhenTheFileGrowsAgain) {
  Start();
  auto file = Open(true);
  ASSERT_TRUE(file->Write(0, Bytes(std::string(3000, 'x'))).ok());
  ASSERT_TRUE(file->Flush().ok());
  rpc::SetAttrRequest resize;
  resize.__set_size(10);
  ASSERT_TRUE(fs_->SetAttr(caller_, inode_, resize).ok());
  resize.__set_size(2000);  // truncate up over the cut bytes
  ASSERT_TRUE(fs_->SetAttr(caller_, inode_, resize).ok());
  ASSERT_TRUE(file->Write(2500, Bytes("end")).ok());  // and a write past the end
  ASSERT_TRUE(file->Flush().ok());
  auto reader = Open(false);
  Result<std::string> data = ReadAll(*reader, 0, 4000);
  ASSERT_TRUE(data.ok()) << data.status().ToString();
  EXPECT_EQ(*data, std::string(10, 'x') + std::string(2490, '\0') + "end");
}

TEST_F(FileSystemTest, TruncateIntoAHoleWritesNoZeros) {
  Start();
  rpc::SetAttrRequest resize;
  resize.__set_size(kChunkSize + 100);  // a file of holes: no chunk exists
  ASSERT_TRUE(fs_->SetAttr(caller_, inode_, resize).ok());
  resize.__set_size(50);
  ASSERT_TRUE(fs_->SetAttr(caller_, inode_, resize).ok());
  EXPECT_EQ(master_->prepare_calls(), 0) << "a hole was written to";
}

TEST_F(FileSystemTest, AppendsLandWhereTheMasterReservesThem) {
  Start();
  auto file = Open(true);
  // Another client appended 500 bytes meanwhile: this one's idea of the end is stale.
  ASSERT_TRUE(master_->CommitWrite(caller_, inode_, 500, 1).ok());
  Result<int64_t> first = file->Append(Bytes("abc"));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(*first, 500);
  Result<int64_t> second = file->Append(Bytes("de"));
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*second, 503);
  ASSERT_TRUE(file->Flush().ok());
  EXPECT_EQ(master_->size(inode_), 505);
  Result<std::string> data = ReadAll(*Open(false), 500, 100);
  ASSERT_TRUE(data.ok());
  EXPECT_EQ(*data, "abcde");
}

TEST_F(FileSystemTest, AllocateExtendsWithZerosAndNeverShrinks) {
  Start();
  auto file = Open(true);
  ASSERT_TRUE(file->Write(0, Bytes("head")).ok());
  ASSERT_TRUE(file->Allocate(1000).ok());
  EXPECT_EQ(master_->size(inode_), 1000);
  ASSERT_TRUE(file->Allocate(10).ok());
  EXPECT_EQ(master_->size(inode_), 1000);
  Result<std::string> data = ReadAll(*Open(false), 0, 2000);
  ASSERT_TRUE(data.ok());
  EXPECT_EQ(*data, "head" + std::string(996, '\0'));
  EXPECT_FALSE(Open(false)->Allocate(2000).ok()) << "a read-only file was extended";
}

// tar and rsync write a file and then set its mtime while the data may still be buffered: the
// commit of that data must come first, or it replaces the mtime they set with the time of now.
TEST_F(FileSystemTest, SettingTheMtimeCommitsBufferedWritesFirst) {
  Start();
  auto file = Open(true);
  ASSERT_TRUE(file->Write(0, Bytes("data written before utimens")).ok());
  constexpr int64_t kPastMtimeNs = 1'600'000'000'123'456'789;
  rpc::SetAttrRequest times;
  times.__set_mtime_ns(kPastMtimeNs);
  Result<rpc::Attr> attr = fs_->SetAttr(caller_, inode_, times);
  ASSERT_TRUE(attr.ok()) << attr.status().ToString();
  EXPECT_EQ(master_->commits().size(), 1u) << "the buffered write was not committed first";
  ASSERT_TRUE(file->Flush().ok());
  file.reset();
  Result<rpc::Attr> after = fs_->GetAttr(caller_, inode_);
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_EQ(after->mtime_ns, kPastMtimeNs) << "a later commit replaced the mtime that was set";
  EXPECT_EQ(after->size, 27);
}

// A commit by a non-root writer drops setuid/setgid on the master; one after the chmod that set
// them would undo that chmod.
TEST_F(FileSystemTest, ChangingTheModeCommitsBufferedWritesFirst) {
  Start();
  auto file = Open(true);
  ASSERT_TRUE(file->Write(0, Bytes("payload")).ok());
  rpc::SetAttrRequest chmod;
  chmod.__set_mode(02755);
  Result<rpc::Attr> attr = fs_->SetAttr(caller_, inode_, chmod);
  ASSERT_TRUE(attr.ok()) << attr.status().ToString();
  EXPECT_EQ(master_->commits().size(), 1u) << "the buffered write was not committed first";
  ASSERT_TRUE(file->Flush().ok());
  EXPECT_EQ(master_->commits().size(), 1u) << "nothing was left to commit after the chmod";
}

TEST_F(FileSystemTest, AtMostMaxPiecesInFlight) {
  ClientOptions options;
  options.write_piece_bytes = 4096;
  options.max_pieces_in_flight = 2;
  Start(options);
  auto file = Open(true);
  chunks_->HoldWrites(true);
  std::thread writer([&] {
    std::string data = Pattern(6 * 4096, 3);
    EXPECT_TRUE(file->Write(0, Bytes(data)).ok());
    EXPECT_TRUE(file->Flush().ok());
  });
  ASSERT_TRUE(chunks_->WaitForWritesInFlight(2));
  chunks_->HoldWrites(false);
  writer.join();
  EXPECT_EQ(chunks_->max_writes_in_flight(), 2);
  EXPECT_EQ(master_->size(inode_), 6 * 4096);
}

TEST_F(FileSystemTest, SequentialReadWithReadaheadReturnsTheData) {
  ClientOptions options;
  options.readahead_bytes = 3 << 20;
  Start(options);
  const std::string data = Pattern((10 << 20) + 123, 5);
  {
    auto file = Open(true);
    ASSERT_TRUE(file->Write(0, Bytes(data)).ok());
    ASSERT_TRUE(file->Flush().ok());
  }
  auto reader = Open(false);
  std::string back;
  for (int64_t offset = 0;; offset += 128 << 10) {
    Result<std::string> part = ReadAll(*reader, offset, 128 << 10);
    ASSERT_TRUE(part.ok()) << part.status().ToString();
    if (part->empty()) break;
    back += *part;
  }
  EXPECT_EQ(back.size(), data.size());
  EXPECT_TRUE(back == data);
}

TEST_F(FileSystemTest, ReadaheadNeverServesBytesOlderThanOwnWrites) {
  ClientOptions options;
  options.readahead_bytes = 1 << 20;
  Start(options);
  auto file = Open(true);
  ASSERT_TRUE(file->Write(0, Bytes(std::string(2 << 20, 'a'))).ok());
  ASSERT_TRUE(file->Flush().ok());
  ASSERT_TRUE(ReadAll(*file, 0, 4096).ok());  // starts readahead of [4096, ...)
  ASSERT_TRUE(file->Write(8192, Bytes("new")).ok());
  Result<std::string> data = ReadAll(*file, 4096, 8192);
  ASSERT_TRUE(data.ok());
  EXPECT_EQ(data->substr(4096, 3), "new");
}

TEST_F(FileSystemTest, RejectsBadArguments) {
  Start();
  EXPECT_EQ(fs_->Lookup(caller_, kRootInode, "a/b").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(fs_->Create(caller_, kRootInode, std::string(256, 'n'), 0644).status().code(),
            StatusCode::kNameTooLong);
  EXPECT_EQ(fs_->GetAttr(caller_, 0).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(fs_->ReadDir(caller_, kRootInode, "", 0, DirListing::kNamesOnly).status().code(), StatusCode::kInvalidArgument);
  auto file = Open(true);
  EXPECT_EQ(file->Write(-1, Bytes("x")).code(), StatusCode::kInvalidArgument);
  std::string buf(4, '\0');
  EXPECT_FALSE(file->Read(-5, std::as_writable_bytes(std::span(buf))).ok());
  auto reader = Open(false);
  EXPECT_EQ(reader->Write(0, Bytes("x")).code(), StatusCode::kPermissionDenied);
  ClientOptions bad;
  EXPECT_FALSE(ValidateClientOptions(bad).ok()) << "no masters";
  bad.masters = {{"127.0.0.1", 1}};
  bad.write_piece_bytes = kMaxIoBytes + 1;
  EXPECT_FALSE(ValidateClientOptions(bad).ok());
}

// ---- file locks (mount_locks.h): coherence around them, release at close ----

LockRequest PosixLock(int64_t inode, rpc::LockType::type type, uint64_t owner = 5) {
  LockRequest request;
  request.inode = inode;
  request.owner = owner;
  request.type = type;
  return request;
}

TEST_F(FileSystemTest, UnlockCommitsBufferedWritesBeforeItLeaves) {
  Start();
  auto file = Open(true);
  Result<rpc::Attr> granted = fs_->SetLock(caller_, PosixLock(inode_, rpc::LockType::WRITE));
  ASSERT_TRUE(granted.ok()) << granted.status().ToString();
  ASSERT_TRUE(file->Write(0, Bytes("written under the lock")).ok());
  ASSERT_TRUE(fs_->SetLock(caller_, PosixLock(inode_, rpc::LockType::UNLOCK)).ok());
  const std::vector<FakeMaster::LockCall> calls = master_->lock_calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].commits_before, 0u);
  EXPECT_EQ(calls[1].commits_before, 1u) << "the unlock left before the write was committed";
  EXPECT_EQ(master_->size(inode_), 22);
}

TEST_F(FileSystemTest, GrantedLockDropsTheCachedSize) {
  Start();
  auto writer = Open(true);
  ASSERT_TRUE(writer->Write(0, Bytes(std::string(100, 'x'))).ok());
  ASSERT_TRUE(writer->Flush().ok());
  auto reader = Open(false);
  // Another mount cuts the file; close-to-open lets this open file keep its size until a lock.
  master_->SetSizeBehindTheClient(inode_, 10);
  Result<std::string> before = ReadAll(*reader, 0, 100);
  ASSERT_TRUE(before.ok());
  EXPECT_EQ(before->size(), 100u);
  ASSERT_TRUE(fs_->SetLock(caller_, PosixLock(inode_, rpc::LockType::READ)).ok());
  Result<std::string> after = ReadAll(*reader, 0, 100);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(*after, std::string(10, 'x')) << "a lock holder must see the master's size";
}

TEST_F(FileSystemTest, CloseReleasesOnlyLocksThatTheOwnerTook) {
  Start();
  ASSERT_TRUE(fs_->ReleaseLocks(caller_, inode_, 5, rpc::LockKind::POSIX).ok());
  EXPECT_TRUE(master_->lock_calls().empty()) << "a close without locks must not ask the master";
  ASSERT_TRUE(fs_->SetLock(caller_, PosixLock(inode_, rpc::LockType::WRITE)).ok());
  ASSERT_TRUE(fs_->ReleaseLocks(caller_, inode_, 6, rpc::LockKind::POSIX).ok());
  ASSERT_TRUE(fs_->ReleaseLocks(caller_, inode_, 5, rpc::LockKind::FLOCK).ok());
  ASSERT_EQ(master_->lock_calls().size(), 1u);
  ASSERT_TRUE(fs_->ReleaseLocks(caller_, inode_, 5, rpc::LockKind::POSIX).ok());
  const std::vector<FakeMaster::LockCall> calls = master_->lock_calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[1].lock.type, rpc::LockType::UNLOCK);
  EXPECT_EQ(calls[1].lock.start, 0);
  EXPECT_EQ(calls[1].lock.length, 0);
  EXPECT_EQ(calls[1].lock.mount_id, calls[0].lock.mount_id);
  EXPECT_GT(calls[0].lock.mount_id, 0);
  ASSERT_TRUE(fs_->ReleaseLocks(caller_, inode_, 5, rpc::LockKind::POSIX).ok());
  EXPECT_EQ(master_->lock_calls().size(), 2u);
}

TEST_F(FileSystemTest, ARefusedLockIsWouldBlockAndStillReleasedAtClose) {
  Start();
  master_->set_refuse_locks(true);
  EXPECT_EQ(fs_->SetLock(caller_, PosixLock(inode_, rpc::LockType::WRITE)).status().code(),
            StatusCode::kWouldBlock);
  EXPECT_EQ(fs_->SetLock(caller_, PosixLock(-1, rpc::LockType::WRITE)).status().code(),
            StatusCode::kInvalidArgument);
  master_->set_refuse_locks(false);
  // The refused request may have reached the master before its answer was lost: close asks.
  ASSERT_TRUE(fs_->ReleaseLocks(caller_, inode_, 5, rpc::LockKind::POSIX).ok());
  EXPECT_EQ(master_->lock_calls().back().lock.type, rpc::LockType::UNLOCK);
}

}  // namespace
}  // namespace tessera::client
