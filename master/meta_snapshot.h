// Raft snapshots of the namespace database: every key/value pair of a MetaStore at one applied
// index, as a byte stream that MetaSnapshotReader produces in chunks and MetaSnapshotBuilder
// turns back into a database.
//
// Stream (numbers big-endian):
//   header  "TSNP" + version (1 byte)
//   record  'R' + key length (8) + value length (8) + key + value   (keys strictly ascending)
//   end     'E' + number of records (8) + chain (8)
// `chain` is an XXH3-64 hash chain over every frame before the end: h = XXH3(header), then for
// each record h = XXH3(h as 8 bytes + XXH3(record frame) as 8 bytes). The end frame tells the
// receiver that the stream is complete and intact. A chain rather than one hash of the stream
// because the reader must resume at any chunk boundary, and a chain's state is 8 bytes.
// The stream leaves out kRestoredFromKey: it records how the local database came to be, not
// namespace state, and the builder writes its own.
#pragma once

#include <leveldb/db.h>
#include <leveldb/write_batch.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "master/meta_store.h"
#include "master/raft/raft_state_machine.h"
#include "master/raft/raft_types.h"

namespace tessera::master {

// Holds raft::SnapshotMeta::Encode() of the snapshot a database was restored from.
inline constexpr std::string_view kRestoredFromKey = "Mrestored_from";

// Bounds a stream must respect, so that a hostile one cannot make a builder buffer without
// limit. The namespace's own keys and values are far smaller.
inline constexpr uint64_t kMaxSnapshotKeyBytes = 64 << 10;
inline constexpr uint64_t kMaxSnapshotValueBytes = 16 << 20;

// The snapshot at which `store` was restored, if it was.
Result<std::optional<raft::SnapshotMeta>> ReadRestoredFrom(const MetaStore& store);

// Streams a frozen view of a MetaStore taken when the reader is opened.
//
// Ownership: the reader shares ownership of the MetaStore, so the database stays open while the
// reader lives even if the state machine has moved on to another store; the LevelDB snapshot it
// holds is released when the reader is destroyed. The state machine may keep writing to the
// store meanwhile; the reader never sees those writes.
// Thread-safety: Read is not thread-safe (one caller at a time); Index is.
class MetaSnapshotReader final : public raft::SnapshotReader {
 public:
  static Result<std::unique_ptr<MetaSnapshotReader>> Open(std::shared_ptr<const MetaStore> store);
  ~MetaSnapshotReader() override;

  // The applied index stored in the view (0 for a database that never applied an entry).
  raft::LogIndex Index() const override { return index_; }
  // The next bytes of the stream from `offset`: whole frames, as many as fit in max_bytes, but
  // at least part of one frame so that a frame larger than max_bytes still goes through.
  // `offset` 0 starts over, and the start or end of the chunk returned last continues cheaply;
  // any other offset inside the stream is served too, by replaying the stream up to it.
  // REQUIRES: max_bytes > 0 and offset <= the stream's length (else kInvalidArgument).
  Result<raft::SnapshotChunk> Read(uint64_t offset, uint64_t max_bytes) override;

 private:
  enum class Stage { kHeader, kRecords, kDone };
  // Where the stream stands: everything needed to go on from `offset`.
  struct Position {
    uint64_t offset = 0;                  // bytes of the stream returned before this position
    Stage stage = Stage::kHeader;         // which frame comes next (kDone: the end frame was made)
    std::optional<std::string> last_key;  // key of the last record frame made
    uint64_t chain = 0;
    uint64_t records = 0;
    std::string frame;          // the frame made last...
    size_t frame_returned = 0;  // ...and how much of it was returned before `offset`
  };

  MetaSnapshotReader(std::shared_ptr<const MetaStore> store, std::unique_ptr<MetaStoreView> view,
                     std::unique_ptr<leveldb::Iterator> iterator, raft::LogIndex index);

  // Moves to `position`, placing the iterator after position.last_key.
  Status MoveTo(Position position);
  // Makes the next frame into position_.frame. REQUIRES: stage != kDone.
  Status MakeFrame();
  // Up to `limit` bytes of the stream from position_ into *out (nullptr: skip them). With
  // whole_frames, stops before a frame that does not fit unless nothing was taken yet.
  Status Take(uint64_t limit, bool whole_frames, std::string* out);
  bool AtEnd() const;

  // Destroyed in reverse order: iterator, then view, then (perhaps) the store.
  std::shared_ptr<const MetaStore> store_;
  std::unique_ptr<MetaStoreView> view_;
  std::unique_ptr<leveldb::Iterator> iterator_;
  const raft::LogIndex index_;
  Position position_;     // where the next chunk starts
  Position chunk_start_;  // where the chunk returned last started
};

// Builds a new database from a stream, in a directory of its own (MetaDirectory hands one out).
//
// Writes arrive in order and are parsed across chunk boundaries; records go to LevelDB in
// batches as they complete, so memory stays within one frame (kMaxSnapshot*Bytes) plus one
// chunk. Any damage (bad header, keys out of order, a length over the bounds, a wrong count or
// chain, bytes after the end) is kCorruption, and the builder refuses everything after it.
//
// Ownership: the builder owns its directory until Finish succeeds; destroying an unfinished
// builder closes the database and deletes the directory.
// Thread-safety: none; one caller.
class MetaSnapshotBuilder {
 public:
  // REQUIRES: `dir` does not hold a database (an error otherwise, and `dir` is left alone).
  static Result<std::unique_ptr<MetaSnapshotBuilder>> Create(const std::string& dir);
  ~MetaSnapshotBuilder();
  MetaSnapshotBuilder(const MetaSnapshotBuilder&) = delete;
  MetaSnapshotBuilder& operator=(const MetaSnapshotBuilder&) = delete;

  // REQUIRES: offset == bytes_written() (kInvalidArgument otherwise).
  Status Write(uint64_t offset, std::string_view data);
  // Checks that the stream ended intact and holds `meta.index` as its applied index, records
  // `meta` under kRestoredFromKey, and closes the database durably. After OK the directory holds
  // a complete database that MetaStore::Open can open.
  Status Finish(const raft::SnapshotMeta& meta);

  uint64_t bytes_written() const { return received_; }
  const std::string& dir() const { return dir_; }

 private:
  enum class Stage { kHeader, kRecords, kEnded };

  MetaSnapshotBuilder(std::string dir, std::unique_ptr<leveldb::DB> db)
      : dir_(std::move(dir)), db_(std::move(db)) {}

  // Parses as many whole frames from the front of `bytes` as there are; *used says how many
  // bytes they took.
  Status ParseFrames(std::string_view bytes, size_t* used);
  // Parses one frame from the front of `bytes`; *used stays 0 when the frame is incomplete.
  Status ParseFrame(std::string_view bytes, size_t* used);
  Status ParseRecord(std::string_view bytes, size_t* used);
  Status ParseEnd(std::string_view bytes, size_t* used);
  Status FlushBatch(bool sync);

  const std::string dir_;
  std::unique_ptr<leveldb::DB> db_;  // closed (null) once finished
  bool finished_ = false;
  Status broken_;  // the first error; every later call returns it
  uint64_t received_ = 0;
  std::string pending_;  // received bytes of a frame not yet complete
  Stage stage_ = Stage::kHeader;
  uint64_t chain_ = 0;
  uint64_t records_ = 0;
  std::optional<std::string> last_key_;
  uint64_t applied_index_ = 0;
  leveldb::WriteBatch batch_;
};

}  // namespace tessera::master
