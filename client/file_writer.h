// FileWriter: write-back and pipelining for one writable OpenFile.
//
// Writes are gathered into a buffer of up to ClientOptions::write_piece_bytes that never
// crosses a chunk boundary. A non-contiguous write, a full buffer or reaching a chunk boundary
// sends the buffer as one piece through the chunk's write chain on the TaskPool, with at most
// max_pieces_in_flight pieces in flight (the writer waits for a slot), so the application keeps
// writing while earlier pieces travel. The chain of each chunk comes from prepareWrite, asked
// once per chunk and cached (asked again when a chain answers STALE_VERSION).
//
// The first error of any piece is kept for ever: every later Write, Flush and Fsync returns
// it, so a Flush never succeeds after a lost piece. Flush waits for every piece, then commits
// the highest end written since the last commit. Fsync also syncs every chunk written since
// the last successful Fsync.
//
// Thread-safety: thread-safe. write_mu_ serializes the foreground operations (Write, Flush,
// FlushRange, Fsync) and guards the gathering buffer and dirty_end_; it is held while waiting
// for a slot and across prepareWrite/commitWrite, which only delays other foreground calls on
// this same file. mu_ guards the state shared with background pieces and is never held across
// I/O. Lock order: write_mu_ before mu_.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>

#include "client/client_services.h"
#include "client/inode_state.h"

namespace tessera::client {

class FileWriter final : public PendingWriteSource,
                         public std::enable_shared_from_this<FileWriter> {
 public:
  FileWriter(const ClientServices& services, Caller caller, std::shared_ptr<InodeState> state);

  Status Write(int64_t offset, std::span<const std::byte> data);
  Status FlushRange(int64_t offset, int64_t length) override;
  Status Flush() override;
  Status Fsync();
  bool HasPendingData() const override;

 private:
  // REQUIRES: write_mu_ held.
  Status SendBuffer();
  Status WaitForPieces();
  Result<rpc::ChunkInfo> PreparedChunk(int64_t chunk_index);
  Result<rpc::ChunkInfo> PrepareChunk(int64_t chunk_index);
  void SendPiece(int64_t offset, std::string& data, rpc::ChunkInfo chunk);
  // A piece that failed with this is written again on a fresh chain.
  static bool IsRewritable(const Status& status);
  Status FirstError() const;
  // REQUIRES mu_. Whether [offset, end) overlaps a piece in flight.
  bool OverlapsPieceInFlight(int64_t offset, int64_t end) const;

  const ClientServices& services_;
  const Caller caller_;
  const std::shared_ptr<InodeState> state_;
  const int64_t inode_;

  std::mutex write_mu_;
  int64_t buffer_offset_ = 0;  // guarded by write_mu_
  std::string buffer_;         // guarded by write_mu_
  int64_t dirty_end_ = 0;      // guarded by write_mu_: highest end written since the last commit

  mutable std::mutex mu_;
  std::condition_variable piece_done_;          // signalled when in_flight_ drops
  bool buffered_ = false;                       // guarded by mu_: buffer_ is not empty
  int in_flight_ = 0;                           // guarded by mu_
  // guarded by mu_: [offset, end) of each piece in flight. A piece overlapping one of them waits
  // for it: pieces travel in parallel, and a later write of the same bytes must land last.
  std::multimap<int64_t, int64_t> in_flight_ranges_;
  Status first_error_;                          // guarded by mu_
  std::map<int64_t, rpc::ChunkInfo> prepared_;  // guarded by mu_: chunk index -> chain
  std::map<int64_t, rpc::ChunkInfo> unsynced_;  // guarded by mu_: written since last Fsync
};

}  // namespace tessera::client
