#include "master/meta_snapshot.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "common/checksum.h"
#include "master/keys.h"

namespace tessera::master {
namespace {

constexpr std::string_view kHeader("TSNP\x01", 5);
constexpr char kRecordTag = 'R';
constexpr char kEndTag = 'E';
// Tag + two 8-byte numbers: both a record's lengths and the end frame's count and chain.
constexpr size_t kFrameHeadBytes = 17;
// Batches of about this size go to LevelDB while a stream is received.
constexpr size_t kBatchBytes = 1 << 20;

std::string_view View(const leveldb::Slice& slice) { return {slice.data(), slice.size()}; }

uint64_t ChainStep(uint64_t chain, std::string_view frame) {
  std::string link;
  AppendBigEndian64(&link, chain);
  AppendBigEndian64(&link, Xxh3Checksum(frame.data(), frame.size()));
  return Xxh3Checksum(link.data(), link.size());
}

std::string RecordFrame(std::string_view key, std::string_view value) {
  std::string frame(1, kRecordTag);
  frame.reserve(kFrameHeadBytes + key.size() + value.size());
  AppendBigEndian64(&frame, key.size());
  AppendBigEndian64(&frame, value.size());
  frame.append(key);
  frame.append(value);
  return frame;
}

std::string EndFrame(uint64_t records, uint64_t chain) {
  std::string frame(1, kEndTag);
  AppendBigEndian64(&frame, records);
  AppendBigEndian64(&frame, chain);
  return frame;
}

// The value of `key` in `view`, if present.
Result<std::optional<std::string>> ReadKey(const MetaStoreView& view, std::string_view key) {
  std::unique_ptr<leveldb::Iterator> it = view.NewIterator();
  it->Seek(leveldb::Slice(key.data(), key.size()));
  if (it->Valid() && View(it->key()) == key) {
    return std::optional<std::string>(std::string(View(it->value())));
  }
  RETURN_IF_ERROR(FromLevelDb(it->status(), "read " + std::string(key)));
  return std::optional<std::string>();
}

}  // namespace

Result<std::optional<raft::SnapshotMeta>> ReadRestoredFrom(const MetaStore& store) {
  ASSIGN_OR_RETURN(std::optional<std::string> value, ReadKey(*store.OpenView(), kRestoredFromKey));
  if (!value) return std::optional<raft::SnapshotMeta>();
  Result<raft::SnapshotMeta> meta = raft::SnapshotMeta::Decode(*value);
  if (!meta.ok()) return Status::Corruption("restored-from meta: " + meta.status().message());
  return std::optional<raft::SnapshotMeta>(std::move(meta).value());
}

// ---- MetaSnapshotReader ----

Result<std::unique_ptr<MetaSnapshotReader>> MetaSnapshotReader::Open(
    std::shared_ptr<const MetaStore> store) {
  std::unique_ptr<MetaStoreView> view = store->OpenView();
  ASSIGN_OR_RETURN(std::optional<std::string> applied, ReadKey(*view, kAppliedIndexKey));
  if (applied && applied->size() != 8) return Status::Corruption("applied index malformed");
  raft::LogIndex index = applied ? ReadBigEndian64(*applied) : 0;
  std::unique_ptr<leveldb::Iterator> iterator = view->NewIterator();
  return std::unique_ptr<MetaSnapshotReader>(
      new MetaSnapshotReader(std::move(store), std::move(view), std::move(iterator), index));
}

MetaSnapshotReader::MetaSnapshotReader(std::shared_ptr<const MetaStore> store,
                                       std::unique_ptr<MetaStoreView> view,
                                       std::unique_ptr<leveldb::Iterator> iterator,
                                       raft::LogIndex index)
    : store_(std::move(store)),
      view_(std::move(view)),
      iterator_(std::move(iterator)),
      index_(index) {}

MetaSnapshotReader::~MetaSnapshotReader() = default;

Result<raft::SnapshotChunk> MetaSnapshotReader::Read(uint64_t offset, uint64_t max_bytes) {
  if (max_bytes == 0) return Status::InvalidArgument("snapshot chunk of 0 bytes");
  if (offset != position_.offset) {
    if (offset == chunk_start_.offset) {
      RETURN_IF_ERROR(MoveTo(chunk_start_));
    } else {
      RETURN_IF_ERROR(MoveTo(Position{}));
      RETURN_IF_ERROR(Take(offset, /*whole_frames=*/false, nullptr));
      if (position_.offset != offset) {
        return Status::InvalidArgument("offset " + std::to_string(offset) +
                                       " beyond the snapshot's " +
                                       std::to_string(position_.offset) + " bytes");
      }
    }
  }
  chunk_start_ = position_;
  raft::SnapshotChunk chunk;
  RETURN_IF_ERROR(Take(max_bytes, /*whole_frames=*/true, &chunk.data));
  chunk.last = AtEnd();
  return chunk;
}

Status MetaSnapshotReader::MoveTo(Position position) {
  position_ = std::move(position);
  if (position_.stage != Stage::kRecords) return Status::Ok();  // MakeFrame places it
  if (!position_.last_key) {
    iterator_->SeekToFirst();
    return Status::Ok();
  }
  iterator_->Seek(*position_.last_key);
  if (!iterator_->Valid() || View(iterator_->key()) != *position_.last_key) {
    RETURN_IF_ERROR(FromLevelDb(iterator_->status(), "seek in snapshot"));
    return Status::Internal("snapshot view lost a key it streamed");
  }
  iterator_->Next();
  return Status::Ok();
}

Status MetaSnapshotReader::MakeFrame() {
  Position& p = position_;
  p.frame_returned = 0;
  if (p.stage == Stage::kHeader) {
    p.frame = std::string(kHeader);
    p.chain = Xxh3Checksum(p.frame.data(), p.frame.size());
    p.stage = Stage::kRecords;
    iterator_->SeekToFirst();
    return Status::Ok();
  }
  while (iterator_->Valid() && View(iterator_->key()) == kRestoredFromKey) iterator_->Next();
  if (!iterator_->Valid()) {
    RETURN_IF_ERROR(FromLevelDb(iterator_->status(), "scan snapshot"));
    p.frame = EndFrame(p.records, p.chain);
    p.stage = Stage::kDone;
    return Status::Ok();
  }
  std::string_view key = View(iterator_->key());
  std::string_view value = View(iterator_->value());
  if (key.size() > kMaxSnapshotKeyBytes || value.size() > kMaxSnapshotValueBytes) {
    return Status::Internal("key or value too large for a snapshot (" + std::to_string(key.size()) +
                            " + " + std::to_string(value.size()) + " bytes)");
  }
  p.frame = RecordFrame(key, value);
  p.chain = ChainStep(p.chain, p.frame);
  ++p.records;
  p.last_key = std::string(key);
  iterator_->Next();
  return Status::Ok();
}

Status MetaSnapshotReader::Take(uint64_t limit, bool whole_frames, std::string* out) {
  Position& p = position_;
  uint64_t taken = 0;
  while (taken < limit) {
    if (p.frame_returned == p.frame.size()) {
      if (p.stage == Stage::kDone) break;
      RETURN_IF_ERROR(MakeFrame());
      if (whole_frames && taken > 0 && taken + p.frame.size() > limit) break;
    }
    size_t n = std::min<uint64_t>(p.frame.size() - p.frame_returned, limit - taken);
    if (out != nullptr) out->append(p.frame, p.frame_returned, n);
    p.frame_returned += n;
    p.offset += n;
    taken += n;
  }
  return Status::Ok();
}

bool MetaSnapshotReader::AtEnd() const {
  return position_.stage == Stage::kDone && position_.frame_returned == position_.frame.size();
}

// ---- MetaSnapshotBuilder ----

Result<std::unique_ptr<MetaSnapshotBuilder>> MetaSnapshotBuilder::Create(const std::string& dir) {
  leveldb::Options options;
  options.create_if_missing = true;
  options.error_if_exists = true;
  options.paranoid_checks = true;
  leveldb::DB* raw = nullptr;
  RETURN_IF_ERROR(FromLevelDb(leveldb::DB::Open(options, dir, &raw), "create snapshot db " + dir));
  return std::unique_ptr<MetaSnapshotBuilder>(
      new MetaSnapshotBuilder(dir, std::unique_ptr<leveldb::DB>(raw)));
}

MetaSnapshotBuilder::~MetaSnapshotBuilder() {
  if (finished_) return;
  db_.reset();
  std::error_code ignored;  // an abandoned directory is also removed by MetaDirectory
  std::filesystem::remove_all(dir_, ignored);
}

Status MetaSnapshotBuilder::Write(uint64_t offset, std::string_view data) {
  RETURN_IF_ERROR(broken_);
  if (finished_) return Status::InvalidArgument("snapshot already finished");
  if (offset != received_) {
    return Status::InvalidArgument("snapshot chunk at offset " + std::to_string(offset) +
                                   ", expected " + std::to_string(received_));
  }
  received_ += data.size();
  size_t used = 0;
  if (pending_.empty()) {
    broken_ = ParseFrames(data, &used);
    pending_.assign(data.substr(used));
  } else {
    pending_.append(data);
    broken_ = ParseFrames(pending_, &used);
    pending_.erase(0, used);
  }
  return broken_;
}

Status MetaSnapshotBuilder::Finish(const raft::SnapshotMeta& meta) {
  RETURN_IF_ERROR(broken_);
  if (finished_) return Status::InvalidArgument("snapshot already finished");
  if (stage_ != Stage::kEnded) {
    broken_ = Status::Corruption("snapshot stream incomplete after " + std::to_string(received_) +
                                 " bytes");
    return broken_;
  }
  if (applied_index_ != meta.index) {
    broken_ = Status::Corruption("snapshot of index " + std::to_string(meta.index) +
                                 " holds applied index " + std::to_string(applied_index_));
    return broken_;
  }
  batch_.Put(leveldb::Slice(kRestoredFromKey.data(), kRestoredFromKey.size()), meta.Encode());
  broken_ = FlushBatch(/*sync=*/true);
  RETURN_IF_ERROR(broken_);
  // Closing leaves every batch in a synced log or a synced table.
  db_.reset();
  finished_ = true;
  return Status::Ok();
}

Status MetaSnapshotBuilder::ParseFrames(std::string_view bytes, size_t* used) {
  *used = 0;
  while (true) {
    size_t frame = 0;
    RETURN_IF_ERROR(ParseFrame(bytes.substr(*used), &frame));
    if (frame == 0) return Status::Ok();
    *used += frame;
  }
}

Status MetaSnapshotBuilder::ParseFrame(std::string_view bytes, size_t* used) {
  *used = 0;
  if (bytes.empty()) return Status::Ok();
  switch (stage_) {
    case Stage::kHeader:
      if (bytes.size() < kHeader.size()) return Status::Ok();
      if (bytes.substr(0, kHeader.size()) != kHeader) {
        return Status::Corruption("not a namespace snapshot (bad header)");
      }
      chain_ = Xxh3Checksum(kHeader.data(), kHeader.size());
      stage_ = Stage::kRecords;
      *used = kHeader.size();
      return Status::Ok();
    case Stage::kRecords:
      if (bytes[0] == kRecordTag) return ParseRecord(bytes, used);
      if (bytes[0] == kEndTag) return ParseEnd(bytes, used);
      return Status::Corruption("unknown snapshot frame after " + std::to_string(records_) +
                                " records");
    case Stage::kEnded:
      return Status::Corruption("bytes after the end of the snapshot");
  }
  return Status::Internal("unknown snapshot parse stage");
}

Status MetaSnapshotBuilder::ParseRecord(std::string_view bytes, size_t* used) {
  if (bytes.size() < kFrameHeadBytes) return Status::Ok();
  uint64_t key_size = ReadBigEndian64(bytes.substr(1));
  uint64_t value_size = ReadBigEndian64(bytes.substr(9));
  if (key_size > kMaxSnapshotKeyBytes || value_size > kMaxSnapshotValueBytes) {
    return Status::Corruption("snapshot record " + std::to_string(records_) + " too large (" +
                              std::to_string(key_size) + " + " + std::to_string(value_size) +
                              " bytes)");
  }
  size_t frame_size = kFrameHeadBytes + key_size + value_size;
  if (bytes.size() < frame_size) return Status::Ok();
  std::string_view key = bytes.substr(kFrameHeadBytes, key_size);
  std::string_view value = bytes.substr(kFrameHeadBytes + key_size, value_size);
  if (last_key_ && key <= *last_key_) {
    return Status::Corruption("snapshot keys out of order at record " + std::to_string(records_));
  }
  if (key == kAppliedIndexKey) {
    if (value.size() != 8) return Status::Corruption("snapshot applied index malformed");
    applied_index_ = ReadBigEndian64(value);
  }
  batch_.Put(leveldb::Slice(key.data(), key.size()), leveldb::Slice(value.data(), value.size()));
  chain_ = ChainStep(chain_, bytes.substr(0, frame_size));
  ++records_;
  last_key_ = std::string(key);
  *used = frame_size;
  if (batch_.ApproximateSize() >= kBatchBytes) return FlushBatch(/*sync=*/false);
  return Status::Ok();
}

Status MetaSnapshotBuilder::ParseEnd(std::string_view bytes, size_t* used) {
  if (bytes.size() < kFrameHeadBytes) return Status::Ok();
  uint64_t records = ReadBigEndian64(bytes.substr(1));
  uint64_t chain = ReadBigEndian64(bytes.substr(9));
  if (records != records_) {
    return Status::Corruption("snapshot ends after " + std::to_string(records_) +
                              " records but names " + std::to_string(records));
  }
  if (chain != chain_) return Status::Corruption("snapshot checksum mismatch");
  stage_ = Stage::kEnded;
  *used = kFrameHeadBytes;
  return Status::Ok();
}

Status MetaSnapshotBuilder::FlushBatch(bool sync) {
  leveldb::WriteOptions options;
  options.sync = sync;
  RETURN_IF_ERROR(FromLevelDb(db_->Write(options, &batch_), "write snapshot db " + dir_));
  batch_.Clear();
  return Status::Ok();
}

}  // namespace tessera::master
