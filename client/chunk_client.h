// ChunkClient: the data path to the chunk servers of one chunk.
//   - Read tries the replicas in order of least recent failure (never-failed first, in the
//     master's order), falls back to the next replica on any error (each fall-back logged) and
//     returns kIoError when every replica failed.
//   - Write sends one piece to the chain head (replicas[0]) with downstream = the rest; the
//     answer comes when every replica applied it.
//   - Sync fsyncs the chunk on every replica through the same chain.
//
// Thread-safety: thread-safe. mu_ guards only the failure times; it is never held across I/O.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <span>
#include <string>
#include <string_view>

#include "client/chunk_connection.h"
#include "common/clock.h"
#include "gen-cpp/tessera_types.h"

namespace tessera::client {

class ChunkClient {
 public:
  // Told of every replica that answered a read with CORRUPTION (chunk id, server id). Called on
  // the reading thread: it must not block.
  using CorruptionReporter = std::function<void(int64_t chunk_id, int64_t server_id)>;

  // `connection` and `clock` must outlive this object.
  ChunkClient(ChunkConnection& connection, const Clock& clock,
              CorruptionReporter report_corruption = {})
      : connection_(connection), clock_(clock), report_corruption_(std::move(report_corruption)) {}

  // Bytes [offset, offset + length) of the chunk, fewer at the end of its stored data.
  // REQUIRES: 0 < length <= kMaxIoBytes and offset + length <= kChunkSize.
  Result<std::string> Read(const rpc::ChunkInfo& chunk, int64_t offset, int32_t length,
                           const std::string& request_id);
  // `data` is borrowed for the call (moved into the request and back, never copied) and holds
  // the same bytes again when Write returns, so a caller can retry with it.
  Status Write(const rpc::ChunkInfo& chunk, int64_t offset, std::string& data, bool sync,
               const std::string& request_id);
  Status Sync(const rpc::ChunkInfo& chunk, const std::string& request_id);

 private:
  void NoteFailure(int64_t server_id);
  // Monotonic time of the last failure; 0 for a server that never failed.
  int64_t LastFailure(int64_t server_id);

  ChunkConnection& connection_;
  const Clock& clock_;
  const CorruptionReporter report_corruption_;
  std::mutex mu_;  // guards last_failure_
  std::map<int64_t, int64_t> last_failure_;
};

HostPort AddressOf(const rpc::ChunkServerAddress& server);

}  // namespace tessera::client
