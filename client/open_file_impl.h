// OpenFileImpl: one open regular file. Composes the ChunkRangeReader (reads), a Readahead
// window (sequential readers) and, when writable, a FileWriter (write-back pipeline) that is
// registered with the inode's shared InodeState so that every OpenFile of the inode in this
// process sees its writes.
//
// Thread-safety: thread-safe (see OpenFile). mu_ guards next_sequential_offset_; the parts
// guard themselves. Destroying an OpenFile with unflushed writes flushes them (best effort,
// logged), as close() would.
#pragma once

#include <memory>
#include <mutex>

#include "client/chunk_range_reader.h"
#include "client/client_services.h"
#include "client/file_writer.h"
#include "client/inode_state.h"
#include "client/readahead.h"

namespace tessera::client {

class OpenFileImpl final : public OpenFile {
 public:
  OpenFileImpl(const ClientServices& services, Caller caller, std::shared_ptr<InodeState> state,
               bool writable);
  ~OpenFileImpl() override;

  Result<size_t> Read(int64_t offset, std::span<std::byte> buf) override;
  Status Write(int64_t offset, std::span<const std::byte> data) override;
  Status Flush() override;
  Status Fsync() override;
  Result<int64_t> Append(std::span<const std::byte> data) override;
  Status Allocate(int64_t end) override;

 private:
  // The file size this client sees, asking the master when [offset, end) reaches past it.
  Result<int64_t> SizeFor(int64_t end);

  const ClientServices& services_;
  const Caller caller_;
  const std::shared_ptr<InodeState> state_;
  ChunkRangeReader reader_;
  std::shared_ptr<Readahead> readahead_;  // nullptr when readahead is off
  std::shared_ptr<FileWriter> writer_;    // nullptr when opened read-only

  std::mutex mu_;
  int64_t next_sequential_offset_ = 0;  // guarded by mu_
};

}  // namespace tessera::client
