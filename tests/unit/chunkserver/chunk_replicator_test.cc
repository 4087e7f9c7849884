// ChunkReplicator against a fake ChunkSource and a manual clock: reads in 4 MiB pieces up to
// the end of the chunk, the order in which failing sources are skipped, what is left when all
// fail, idempotence and version rules, the bound on concurrent copies and the bandwidth limit.
#include "chunkserver/chunk_replicator.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

#include "common/names.h"
#include "tests/unit/chunkserver/test_util.h"

namespace tessera {
namespace {

namespace fs = std::filesystem;
using testing::Bytes;
using testing::FilesIn;
using testing::ManualClock;
using testing::RandomBytes;
using testing::TempDir;

constexpr int64_t kMiB = int64_t{1} << 20;

struct ReadCall {
  int port = 0;
  int64_t version = 0;
  int64_t offset = 0;
  int32_t length = 0;
  bool operator==(const ReadCall&) const = default;
};

std::ostream& operator<<(std::ostream& out, const ReadCall& call) {
  return out << "{port " << call.port << " version " << call.version << " [" << call.offset << ", +"
             << call.length << ")}";
}

// Answers readChunk per port with a behaviour the test sets; a port without one is
// unreachable. Records every call.
class FakeChunkSource final : public ChunkSource {
 public:
  using Behaviour = std::function<Result<std::string>(const rpc::ReadChunkRequest&)>;

  void Set(int port, Behaviour behaviour) {
    std::lock_guard lock(mu_);
    behaviours_[port] = std::move(behaviour);
  }
  std::vector<ReadCall> calls() const {
    std::lock_guard lock(mu_);
    return calls_;
  }

  Result<std::string> ReadChunk(const HostPort& address,
                                const rpc::ReadChunkRequest& request) override {
    Behaviour behaviour;
    {
      std::lock_guard lock(mu_);
      calls_.push_back({address.port, request.version, request.offset, request.length});
      auto it = behaviours_.find(address.port);
      if (it != behaviours_.end()) behaviour = it->second;
    }
    if (!behaviour) return Status::Unavailable("cannot connect to " + address.ToString());
    return behaviour(request);
  }

 private:
  mutable std::mutex mu_;
  std::map<int, Behaviour> behaviours_;  // guarded by mu_
  std::vector<ReadCall> calls_;          // guarded by mu_
};

rpc::ReplicateChunkRequest Request(int64_t chunk_id, int64_t version, std::vector<int> ports) {
  rpc::ReplicateChunkRequest request;
  request.chunk_id = chunk_id;
  request.version = version;
  request.request_id = "test";
  for (int port : ports) {
    rpc::ChunkServerAddress source;
    source.host = "127.0.0.1";
    source.port = port;
    request.sources.push_back(source);
  }
  return request;
}

ReadCall FirstPiece(int port, int64_t version, int64_t offset = 0) {
  return {port, version, offset, static_cast<int32_t>(kMaxIoBytes)};
}

// The reads a full copy of a chunk of `length` bytes at `version` makes from `port`: 4 MiB
// pieces up to the first short one, then the probe for a newer version.
std::vector<ReadCall> FullCopyReads(int port, int64_t version, int64_t length) {
  std::vector<ReadCall> reads;
  for (int64_t offset = 0; offset < kChunkSize; offset += kMaxIoBytes) {
    reads.push_back(FirstPiece(port, version, offset));
    if (offset + kMaxIoBytes > length) break;
  }
  reads.push_back({port, version + 1, 0, 1});
  return reads;
}

class ChunkReplicatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    source_store_ = std::move(ChunkStore::Open({source_dir_.path()})).value();
    target_ = std::move(ChunkStore::Open({target_dir_.path()})).value();
    MakeReplicator({});
  }

  void MakeReplicator(ReplicationOptions options) {
    replicator_ = std::make_unique<ChunkReplicator>(target_.get(), &source_, options, &clock_,
                                                    [this](std::chrono::nanoseconds wait) {
                                                      slept_ns_ += wait.count();
                                                      clock_.Advance(wait);
                                                    });
  }

  // A source serving what source_store_ holds, as a chunk server's readChunk does.
  FakeChunkSource::Behaviour Serves() {
    return [this](const rpc::ReadChunkRequest& r) {
      return source_store_->Read(r.chunk_id, r.version, r.offset, r.length);
    };
  }
  static FakeChunkSource::Behaviour Fails(Status status) {
    return [status](const rpc::ReadChunkRequest&) -> Result<std::string> { return status; };
  }

  // Puts `data` into the source store as chunk `chunk_id` at `version`.
  void PutSource(int64_t chunk_id, int64_t version, const std::string& data) {
    for (int64_t at = 0; at < static_cast<int64_t>(data.size()); at += kMaxIoBytes) {
      ASSERT_TRUE(
          source_store_->Write(chunk_id, version, at, Bytes(data.substr(at, kMaxIoBytes)), false)
              .ok());
    }
  }

  // Nothing of chunk `chunk_id` is visible on the target, and no staging file is left.
  void ExpectNothingOnTarget(int64_t chunk_id) {
    EXPECT_FALSE(target_->Lookup(chunk_id).has_value());
    EXPECT_EQ(target_->Read(chunk_id, 1, 0, 1).status().code(), StatusCode::kNotFound);
    EXPECT_TRUE(target_->ListChunks().empty());
    EXPECT_TRUE(target_->TakeChanges().added.empty());
    EXPECT_TRUE(FilesIn(target_dir_.path() + "/incoming").empty());
  }

  TempDir source_dir_;
  TempDir target_dir_;
  std::unique_ptr<ChunkStore> source_store_;
  std::unique_ptr<ChunkStore> target_;
  ManualClock clock_;
  int64_t slept_ns_ = 0;
  FakeChunkSource source_;
  std::unique_ptr<ChunkReplicator> replicator_;
};

TEST_F(ChunkReplicatorTest, CopiesInPiecesOfFourMiBAndCommits) {
  const std::string data = RandomBytes(9 * kMiB + 123, 1);
  PutSource(42, 3, data);
  source_.Set(1, Serves());
  Result<rpc::ReplicateChunkReply> reply = replicator_->Replicate(Request(42, 3, {1}));
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_EQ(reply->length, static_cast<int64_t>(data.size()));
  EXPECT_EQ(reply->bytes_copied, static_cast<int64_t>(data.size()));
  EXPECT_EQ(source_.calls(), FullCopyReads(1, 3, data.size()));
  EXPECT_EQ(source_.calls().size(), 3u + 1u);
  EXPECT_EQ(*target_->Read(42, 3, 0, kChunkSize), data);
  const ChunkRecord record{42, 3, static_cast<int64_t>(data.size())};
  EXPECT_EQ(target_->TakeChanges().added, std::vector<ChunkRecord>{record});
  ReplicationCounters counters = replicator_->counters();
  EXPECT_EQ(counters.done, 1);
  EXPECT_EQ(counters.failed, 0);
  EXPECT_EQ(counters.bytes_copied, static_cast<int64_t>(data.size()));
}

TEST_F(ChunkReplicatorTest, ChunkOfWholePiecesEndsWithAnEmptyReadAndAFullChunkWithNone) {
  const std::string eight = RandomBytes(8 * kMiB, 2);
  const std::string full = RandomBytes(kChunkSize, 3);
  PutSource(1, 1, eight);
  PutSource(2, 1, full);
  source_.Set(1, Serves());
  ASSERT_TRUE(replicator_->Replicate(Request(1, 1, {1})).ok());
  EXPECT_EQ(source_.calls(), FullCopyReads(1, 1, eight.size()));
  EXPECT_EQ(source_.calls().size(), 3u + 1u);  // 4 + 4 + the empty end, and the probe
  Result<rpc::ReplicateChunkReply> reply = replicator_->Replicate(Request(2, 1, {1}));
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_EQ(reply->length, kChunkSize);
  // Exactly 16 more pieces: none at offset 64 MiB, which no chunk server would accept.
  std::vector<ReadCall> calls = source_.calls();
  ASSERT_EQ(calls.size(), 4u + 16u + 1u);
  EXPECT_EQ(calls[calls.size() - 2], FirstPiece(1, 1, kChunkSize - kMaxIoBytes));
  EXPECT_EQ(std::vector<ReadCall>(calls.begin() + 4, calls.end()), FullCopyReads(1, 1, kChunkSize));
  EXPECT_EQ(*target_->Read(1, 1, 0, kChunkSize), eight);
  EXPECT_EQ(*target_->Read(2, 1, 0, kChunkSize), full);
}

TEST_F(ChunkReplicatorTest, FailingSourcesAreSkippedInOrder) {
  const std::string data = RandomBytes(6 * kMiB, 4);
  PutSource(42, 3, data);
  // 1: unreachable (no behaviour). 2: older replica. 3: lost the chunk. 4: a block goes bad in
  // the second piece. 5: answers more than asked. 6: good.
  source_.Set(2, Fails(Status::StaleVersion("chunk 42 is at version 2")));
  source_.Set(3, Fails(Status::NotFound("chunk 42 is not here")));
  source_.Set(4, [this](const rpc::ReadChunkRequest& r) -> Result<std::string> {
    if (r.offset > 0) return Status::Corruption("chunk 42 block 70 checksum mismatch");
    return Serves()(r);
  });
  source_.Set(5, [](const rpc::ReadChunkRequest& r) -> Result<std::string> {
    return std::string(r.length + 1, 'x');
  });
  source_.Set(6, Serves());
  Result<rpc::ReplicateChunkReply> reply =
      replicator_->Replicate(Request(42, 3, {1, 2, 3, 4, 5, 6}));
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_EQ(*target_->Read(42, 3, 0, kChunkSize), data);

  std::vector<ReadCall> expected = {FirstPiece(1, 3),
                                    FirstPiece(2, 3),
                                    FirstPiece(3, 3),
                                    FirstPiece(4, 3),
                                    FirstPiece(4, 3, kMaxIoBytes),
                                    FirstPiece(5, 3)};
  for (const ReadCall& call : FullCopyReads(6, 3, data.size())) expected.push_back(call);
  EXPECT_EQ(source_.calls(), expected);
  EXPECT_TRUE(FilesIn(target_dir_.path() + "/incoming").empty());
  EXPECT_EQ(replicator_->counters().done, 1);
  EXPECT_EQ(replicator_->counters().failed, 0);
}

TEST_F(ChunkReplicatorTest, SourceAtANewerVersionIsSkippedEvenWhenItGotThereDuringTheCopy) {
  const std::string data = RandomBytes(6 * kMiB, 11);
  PutSource(42, 3, data);
  // Sources serve the bytes of version 3 whatever they hold, and answer a read that names a
  // newer version than they hold with STALE_VERSION, as chunk servers do.
  source_.Set(1, [this](const rpc::ReadChunkRequest& r) -> Result<std::string> {
    rpc::ReadChunkRequest as_held = r;
    as_held.version = 3;  // holds version 5: every read is served, the probe too
    return Serves()(as_held);
  });
  bool bumped = false;  // source 2 gets a write lease for version 4 after its first piece
  source_.Set(2, [this, &bumped](const rpc::ReadChunkRequest& r) -> Result<std::string> {
    if (r.version > (bumped ? 4 : 3)) return Status::StaleVersion("chunk 42 is older");
    if (r.offset > 0) bumped = true;
    rpc::ReadChunkRequest as_held = r;
    as_held.version = 3;
    return Serves()(as_held);
  });
  source_.Set(3, Serves());
  Result<rpc::ReplicateChunkReply> reply = replicator_->Replicate(Request(42, 3, {1, 2, 3}));
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_EQ(*target_->Read(42, 3, 0, kChunkSize), data);
  std::vector<ReadCall> expected;
  for (int port : {1, 2, 3}) {
    for (const ReadCall& call : FullCopyReads(port, 3, data.size())) expected.push_back(call);
  }
  EXPECT_EQ(source_.calls(), expected);
}

TEST_F(ChunkReplicatorTest, AllSourcesFailingIsAClearErrorAndLeavesNothing) {
  PutSource(42, 3, RandomBytes(6 * kMiB, 5));
  source_.Set(4, [this](const rpc::ReadChunkRequest& r) -> Result<std::string> {
    if (r.offset > 0) return Status::Corruption("chunk 42 block 70 checksum mismatch");
    return Serves()(r);
  });
  Result<rpc::ReplicateChunkReply> reply = replicator_->Replicate(Request(42, 3, {1, 4}));
  ASSERT_EQ(reply.status().code(), StatusCode::kIoError);
  const std::string message = reply.status().message();
  EXPECT_NE(message.find("no source could supply chunk 42 version 3"), std::string::npos)
      << message;
  EXPECT_NE(message.find("127.0.0.1:1: UNAVAILABLE"), std::string::npos) << message;
  EXPECT_NE(message.find("127.0.0.1:4: CORRUPTION: chunk 42 block 70"), std::string::npos)
      << message;
  ExpectNothingOnTarget(42);
  EXPECT_EQ(replicator_->counters().failed, 1);
  EXPECT_EQ(replicator_->counters().done, 0);
  EXPECT_EQ(replicator_->counters().bytes_copied, 0);
}

TEST_F(ChunkReplicatorTest, FailureOfThisServerEndsTheReplication) {
  PutSource(42, 3, RandomBytes(2 * kMiB, 6));
  // The first source's answer arrives after the staged file vanished from this server's disk:
  // the commit fails here, and a second source would not help.
  const std::string incoming = target_dir_.path() + "/incoming";
  source_.Set(1, [&](const rpc::ReadChunkRequest& r) {
    for (const std::string& name : FilesIn(incoming)) fs::remove(incoming + "/" + name);
    return Serves()(r);
  });
  source_.Set(2, Serves());
  Result<rpc::ReplicateChunkReply> reply = replicator_->Replicate(Request(42, 3, {1, 2}));
  EXPECT_EQ(reply.status().code(), StatusCode::kIoError) << reply.status().ToString();
  EXPECT_NE(reply.status().message().find("storing the copy here failed"), std::string::npos)
      << reply.status().ToString();
  for (const ReadCall& call : source_.calls()) EXPECT_EQ(call.port, 1);
  ExpectNothingOnTarget(42);
}

TEST_F(ChunkReplicatorTest, ChunkHeldAtThatVersionIsAnsweredAtOnce) {
  ASSERT_TRUE(target_->Write(42, 3, 0, Bytes(std::string("held")), true).ok());
  Result<rpc::ReplicateChunkReply> reply = replicator_->Replicate(Request(42, 3, {1}));
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_EQ(reply->length, 4);
  EXPECT_EQ(reply->bytes_copied, 0);
  EXPECT_TRUE(source_.calls().empty());
  EXPECT_EQ(replicator_->counters().done, 0);
}

TEST_F(ChunkReplicatorTest, ChunkHeldAtANewerVersionRefusesTheCopy) {
  ASSERT_TRUE(target_->Write(42, 5, 0, Bytes(std::string("newer")), true).ok());
  source_.Set(1, Serves());
  EXPECT_EQ(replicator_->Replicate(Request(42, 3, {1})).status().code(), StatusCode::kStaleVersion);
  EXPECT_TRUE(source_.calls().empty());
  EXPECT_EQ(*target_->Read(42, 5, 0, 100), "newer");
}

TEST_F(ChunkReplicatorTest, ChunkHeldAtAnOlderVersionIsReplaced) {
  ASSERT_TRUE(target_->Write(42, 1, 0, Bytes(RandomBytes(3 * kMiB, 7)), true).ok());
  const std::string data = RandomBytes(kMiB, 8);
  PutSource(42, 3, data);
  source_.Set(1, Serves());
  Result<rpc::ReplicateChunkReply> reply = replicator_->Replicate(Request(42, 3, {1}));
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_EQ(reply->bytes_copied, kMiB);
  EXPECT_EQ(target_->Lookup(42), (ChunkRecord{42, 3, kMiB}));
  EXPECT_EQ(*target_->Read(42, 3, 0, kChunkSize), data);
}

TEST_F(ChunkReplicatorTest, ConcurrentCopiesAreBoundedAndAChunkIsCopiedOnceAtATime) {
  for (int64_t id = 1; id <= 3; ++id) PutSource(id, 1, RandomBytes(1000, id));
  std::mutex mu;
  std::condition_variable changed;
  int inside = 0;       // guarded by mu: reads waiting to be let through
  bool let_go = false;  // guarded by mu
  source_.Set(1, [&](const rpc::ReadChunkRequest& r) {
    std::unique_lock lock(mu);
    ++inside;
    changed.notify_all();
    changed.wait(lock, [&] { return let_go; });
    return Serves()(r);
  });
  std::vector<Status> outcomes(2);
  std::vector<std::thread> copies;
  for (int64_t id = 1; id <= 2; ++id) {
    copies.emplace_back(
        [&, id] { outcomes[id - 1] = replicator_->Replicate(Request(id, 1, {1})).status(); });
  }
  {
    std::unique_lock lock(mu);
    changed.wait(lock, [&] { return inside == 2; });
  }
  Status busy = replicator_->Replicate(Request(3, 1, {1})).status();
  Status same_chunk = replicator_->Replicate(Request(1, 1, {1})).status();
  {
    std::lock_guard lock(mu);
    let_go = true;
    changed.notify_all();
  }
  for (std::thread& copy : copies) copy.join();

  EXPECT_EQ(busy.code(), StatusCode::kUnavailable) << busy.ToString();
  EXPECT_NE(busy.message().find("busy"), std::string::npos) << busy.ToString();
  EXPECT_EQ(same_chunk.code(), StatusCode::kUnavailable) << same_chunk.ToString();
  EXPECT_NE(same_chunk.message().find("being copied"), std::string::npos) << same_chunk.ToString();
  for (const Status& outcome : outcomes) EXPECT_TRUE(outcome.ok()) << outcome.ToString();
  EXPECT_EQ(replicator_->counters().refused_busy, 2);
  EXPECT_EQ(replicator_->counters().done, 2);
  // Slots are given back: the refused copy goes through now.
  EXPECT_TRUE(replicator_->Replicate(Request(3, 1, {1})).ok());
  EXPECT_EQ(target_->ListChunks().size(), 3u);
}

TEST_F(ChunkReplicatorTest, BandwidthLimitSpacesThePieces) {
  MakeReplicator({.bytes_per_second = 4'000'000, .max_concurrent = 2});
  PutSource(42, 1, RandomBytes(12 * kMiB, 9));
  source_.Set(1, Serves());
  ASSERT_TRUE(replicator_->Replicate(Request(42, 1, {1})).ok());
  // The first 4 MiB go as the burst; each further 4 MiB waits 4 MiB / (4 MB/s) = 1.048576 s.
  EXPECT_EQ(slept_ns_, 2 * 1'048'576'000);

  MakeReplicator({.bytes_per_second = 0, .max_concurrent = 2});
  slept_ns_ = 0;
  PutSource(43, 1, RandomBytes(12 * kMiB, 10));
  ASSERT_TRUE(replicator_->Replicate(Request(43, 1, {1})).ok());
  EXPECT_EQ(slept_ns_, 0);
}

}  // namespace
}  // namespace tessera
