#include "master/raft_transport.h"

#include <atomic>
#include <chrono>
#include <utility>
#include <vector>

#include "common/logging.h"
#include "common/rpc_client.h"
#include "gen-cpp/MasterService.h"
#include "master/raft_messages.h"

namespace tessera::master {
namespace {

constexpr const char* kComponent = "raft";

size_t ApproximateBytes(const raft::Message& message) {
  size_t bytes = 128 + message.data.size();
  for (const raft::LogEntry& entry : message.entries) bytes += 32 + entry.data.size();
  return bytes;
}

}  // namespace

// One peer: a bounded queue and the thread that drains it into raftDeliver calls.
class RaftTransport::Peer {
 public:
  Peer(raft::NodeId id, HostPort address, const RaftTransportOptions& options)
      : id_(id),
        address_(std::move(address)),
        options_(options),
        pool_(RpcClientOptions{.connect_timeout_ms = options.io_timeout_ms,
                               .io_timeout_ms = options.io_timeout_ms,
                               .max_idle_per_address = 1}),
        sender_([this] { Run(); }) {}

  ~Peer() {
    RequestStop();
    sender_.join();
  }

  // Asks the sender to stop without waiting for it (it may be inside a network call).
  void RequestStop() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    wake_.notify_all();
  }
  // The sender has returned: destroying the peer will not block.
  bool Finished() const { return finished_.load(); }

  const HostPort& address() const { return address_; }

  void Enqueue(raft::Message message) {
    const size_t bytes = ApproximateBytes(message);
    {
      std::lock_guard lock(mu_);
      if (queue_.size() >= options_.max_queued_messages ||
          queued_bytes_ + bytes > options_.max_queued_bytes) {
        ++dropped_;
        return;
      }
      queued_bytes_ += bytes;
      queue_.push_back(std::move(message));
    }
    wake_.notify_one();
  }

 private:
  void Run() {
    Drain();
    finished_.store(true);
  }

  void Drain() {
    std::unique_lock lock(mu_);
    while (true) {
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      std::vector<rpc::RaftMessage> batch;
      size_t batch_bytes = 0;
      while (!queue_.empty() && (batch.empty() || batch_bytes < options_.max_batch_bytes)) {
        const size_t bytes = ApproximateBytes(queue_.front());
        batch_bytes += bytes;
        queued_bytes_ -= bytes;
        batch.push_back(ToRpc(queue_.front()));
        batch.back().from_address = options_.self_address;
        queue_.pop_front();
      }
      lock.unlock();
      RpcOutcome outcome = pool_.Call(
          address_, [&](rpc::MasterServiceClient& client) { client.raftDeliver(batch); });
      lock.lock();
      if (outcome.status.ok()) {
        if (unreachable_) {
          LOG(kInfo, kComponent) << "master " << id_ << " at " << address_.ToString()
                                 << " reachable again";
        }
        unreachable_ = false;
        continue;
      }
      if (!unreachable_) {
        LOG(kWarning, kComponent) << "cannot reach master " << id_ << " at "
                                  << address_.ToString() << ": " << outcome.status.ToString()
                                  << " (dropping its messages until it answers)";
      }
      unreachable_ = true;
      // Whatever queued up meanwhile is stale by the time the peer answers; Raft resends.
      dropped_ += queue_.size();
      queue_.clear();
      queued_bytes_ = 0;
      wake_.wait_for(lock, std::chrono::milliseconds(options_.reconnect_backoff_ms),
                     [this] { return stopping_; });
    }
  }

  const raft::NodeId id_;
  const HostPort address_;
  const RaftTransportOptions& options_;
  RpcClientPool<rpc::MasterServiceClient> pool_;  // used by the sender thread only

  std::mutex mu_;  // guards everything below
  std::condition_variable wake_;
  std::deque<raft::Message> queue_;
  size_t queued_bytes_ = 0;
  uint64_t dropped_ = 0;
  bool unreachable_ = false;
  bool stopping_ = false;
  std::atomic<bool> finished_{false};

  std::thread sender_;  // last: starts after every member above is ready
};

RaftTransport::RaftTransport(RaftTransportOptions options) : options_(options) {}
RaftTransport::~RaftTransport() = default;

void RaftTransport::SetPeers(const std::map<raft::NodeId, HostPort>& peers) {
  for (auto it = peers_.begin(); it != peers_.end();) {
    auto wanted = peers.find(it->first);
    if (wanted == peers.end() || !(wanted->second == it->second->address())) {
      // Not joined here: its sender may sit in a connect to a dead master for seconds, and the
      // Raft thread must not wait for that.
      it->second->RequestStop();
      retired_.push_back(std::move(it->second));
      it = peers_.erase(it);
    } else {
      ++it;
    }
  }
  std::erase_if(retired_, [](const std::unique_ptr<Peer>& peer) { return peer->Finished(); });
  for (const auto& [id, address] : peers) {
    if (!peers_.contains(id)) peers_.emplace(id, std::make_unique<Peer>(id, address, options_));
  }
}

void RaftTransport::Send(raft::Message message) {
  auto it = peers_.find(message.to);
  if (it == peers_.end()) return;
  it->second->Enqueue(std::move(message));
}

}  // namespace tessera::master
