// The chunk server's side of the master conversation: registration with a full chunk report,
// then a heartbeat every interval carrying stats and the chunks added/removed since the last
// heartbeat, and deletion of the chunks the master lists in its replies. Before each heartbeat
// it has the store probe its data dirs (ChunkStore::CheckDataDirs).
//
// Leader discovery: the link remembers the last master that answered; on NOT_LEADER it follows
// the leader_hint, and on an unreachable master it tries the next address of --masters.
// It registers again when a reply says `reregister`, or after any failed heartbeat (the master
// may have missed incremental reports, so only a full report is safe).
//
// Threading: Start() launches one thread that owns all master RPCs, and a deleter thread that
// removes the chunks the master listed: deleting a large file can take a disk a while, and a
// heartbeat stuck behind it made the master declare the server dead. Stop() wakes both through
// condition variables and joins them, so shutdown never waits out a heartbeat interval. `mu_`
// guards the fields marked below. The store and the stats callback must outlive the link.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "chunkserver/chunk_store.h"
#include "common/address.h"
#include "common/rpc_client.h"
#include "gen-cpp/MasterService.h"

namespace tessera {

struct MasterLinkOptions {
  std::vector<HostPort> masters;
  HostPort advertised;  // the address clients and other chunk servers reach us at
  std::string rack;
  std::chrono::milliseconds heartbeat_interval{1000};
  RpcClientOptions rpc;
};

class MasterLink {
 public:
  using StatsProvider = std::function<rpc::ChunkServerStats()>;

  MasterLink(MasterLinkOptions options, ChunkStore* store, StatsProvider stats);
  ~MasterLink();
  MasterLink(const MasterLink&) = delete;
  MasterLink& operator=(const MasterLink&) = delete;

  void Start();
  void Stop();

  // True once a registration succeeded and no heartbeat has failed since (for tests/status).
  bool registered() const;

 private:
  void Run();
  // Waits `delay` or until Stop(); returns false when stopping.
  bool WaitFor(std::chrono::milliseconds delay);
  // Runs `call` on the leader, following hints and trying every address once per round.
  template <typename F>
  Status CallLeader(const char* what, F&& call);
  Status Register();
  Status Heartbeat();
  void DeleteChunks(const std::vector<int64_t>& chunk_ids);
  // The deleter thread: deletes queued chunks until Stop().
  void RunDeleter();

  const MasterLinkOptions options_;
  ChunkStore* const store_;
  const StatsProvider stats_;
  RpcClientPool<rpc::MasterServiceClient> masters_;

  // Touched only by the link thread.
  HostPort leader_;
  size_t next_master_ = 0;
  bool need_register_ = true;

  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;       // guarded by mu_
  bool registered_ = false;     // guarded by mu_
  std::deque<int64_t> deletions_;            // guarded by mu_: chunks the master asked us to drop
  std::condition_variable deletions_ready_;  // signalled when deletions_ grows or on Stop()
  std::thread thread_;
  std::thread deleter_;
};

// The index in `masters` to try after `failed` did not answer: the one after `current`, passing
// over `failed`. After a leader hint was followed, `current` is not where the leader is, and the
// plain successor may be the failed leader itself; a silent (partitioned) master costs a whole
// connect timeout each time it is tried. REQUIRES: `masters` is not empty.
size_t NextMasterAfterFailure(const std::vector<HostPort>& masters, size_t current,
                              const HostPort& failed);

}  // namespace tessera
