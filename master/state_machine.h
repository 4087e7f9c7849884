// The namespace state machine: log commands in, LevelDB state out.
//
// Apply(index, command) is deterministic: the same commands in the same order give byte-identical
// databases. Each Apply writes ONE LevelDB batch holding the command's changes and the new
// applied index, so after a crash the database is exactly "all entries up to applied_index";
// entries with index <= applied_index are skipped, never applied twice. A command that fails
// validation (EEXIST, ENOTEMPTY, ...) changes nothing but still advances the applied index, as
// every replica fails it the same way.
//
// Sessions: an entry that carries (client id, sequence) is applied at most once per session;
// applying it again (a retry after failover) gives the first reply (client_sessions.h).
//
// Thread-safety: Apply calls (and ReplaceStore) are serialized by apply_mu_. Reads may run
// concurrently with Apply and with each other; each read sees the state after some whole number
// of applied entries. ReplaceStore swaps the database under store_mu_; a read that started
// before finishes on the old database, which lives until its last reader lets go.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "gen-cpp/tessera_types.h"
#include "master/apply_result.h"
#include "master/meta_store.h"
#include "master/records.h"

namespace tessera::master {

// Readdir never returns more than this many entries per call.
inline constexpr int kMaxReaddirEntries = 10000;

class OpContext;

// A chunk with what the replication manager needs to know of its file.
struct ChunkOfFile {
  int64_t inode = 0;
  int64_t chunk_index = 0;
  ChunkRecord chunk;
  int32_t goal = 0;
};

struct ChunkAtIndex {
  int64_t chunk_index = 0;
  ChunkRecord chunk;
};

class StateMachine {
 public:
  explicit StateMachine(std::shared_ptr<MetaStore> store);
  // Opens the database in `dir` and loads the counters.
  static Result<std::unique_ptr<StateMachine>> Open(const std::string& dir,
                                                    MetaStore::Options options);

  StateMachine(const StateMachine&) = delete;
  StateMachine& operator=(const StateMachine&) = delete;

  // REQUIRES: the counters were loaded (Open does it). Errors of the command come back as the
  // Result; a failure to write the batch (I/O) is returned as well and leaves the state as it was.
  Result<ApplyResult> Apply(int64_t index, const LogCommand& entry);
  // A command without a session (issued by the master itself, or by tests).
  Result<ApplyResult> Apply(int64_t index, const MetaCommand& command);
  // An entry without namespace effect (a Raft noop or membership change): only the applied
  // index advances. Entries at or below the applied index are skipped.
  Status ApplyNoEffect(int64_t index);
  // Replaces the whole database with `store` (a snapshot was installed) and reloads the
  // counters from it.
  Status ReplaceStore(std::shared_ptr<MetaStore> store);
  // Every command applied before the call is on stable storage when it returns. Thread-safe;
  // does not wait for Apply.
  Status Sync();

  // ---- reads ----
  Result<rpc::Attr> GetAttr(int64_t inode) const;
  Result<rpc::Attr> Lookup(int64_t parent, std::string_view name) const;
  // REQUIRES: 1 <= max_entries <= kMaxReaddirEntries.
  // Sets the attributes of every entry of `listing` (read now, one record each). An entry
  // whose inode is gone since the listing was read keeps no attributes.
  Status AttachEntryAttrs(rpc::ReaddirReply& listing) const;
  Result<rpc::ReaddirReply> Readdir(int64_t inode, std::string_view after_name,
                                    int max_entries) const;
  // Chunk records of a regular file with index in [first_index, first_index + count).
  Result<std::vector<ChunkAtIndex>> GetChunks(int64_t inode, int64_t first_index,
                                              int64_t count) const;
  Result<ChunkAtIndex> GetChunk(int64_t inode, int64_t chunk_index) const;
  MetaCounters Counters() const;
  // Every chunk of every file with the file's goal, from one consistent view of the database.
  Status ForEachChunkOfFile(const std::function<void(const ChunkOfFile&)>& visit) const;
  // Chunk servers being drained (`tessera decommission`), in server id order.
  Result<std::set<int64_t>> DrainingServerIds() const;
  // The operator's balance (`tessera balance`); nullopt before the first start.
  Result<std::optional<BalanceRecord>> BalanceWish() const;
  // The database reads go to now; keep the pointer for a consistent multi-call view.
  std::shared_ptr<MetaStore> CurrentStore() const;

 private:
  Status LoadCounters();
  Result<ApplyResult> Dispatch(OpContext& op, const MetaCommand& command);
  // Apply's body. REQUIRES: apply_mu_ held.
  Result<ApplyResult> ApplyLocked(int64_t index, const LogCommand& entry);
  // Writes `op`'s batch (with the applied index) and publishes its counters.
  // REQUIRES: apply_mu_ held.
  Status Commit(int64_t index, std::string_view what, MetaStore& store, OpContext& op);

  std::mutex apply_mu_;             // serializes Apply and ReplaceStore
  mutable std::mutex store_mu_;     // guards the store_ pointer (not the database)
  std::shared_ptr<MetaStore> store_;
  mutable std::mutex counters_mu_;  // guards counters_
  MetaCounters counters_;
};

}  // namespace tessera::master
