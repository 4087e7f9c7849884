// The simulated network: seeded loss, duplication, delay (and so reordering) and partitions.
// Messages wait in one queue ordered by delivery tick; a partition drops a message both when it
// is sent and when it would be delivered.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <queue>
#include <random>
#include <set>
#include <utility>
#include <vector>

#include "master/raft/raft_types.h"
#include "master/raft/transport.h"

namespace tessera::raft::sim {

struct NetworkFaults {
  double loss = 0;         // probability a message is dropped
  double duplicate = 0;    // probability a message is delivered twice
  uint64_t max_delay = 0;  // extra ticks, uniform in [0, max_delay]
};

class SimNetwork {
 public:
  explicit SimNetwork(uint64_t seed) : rng_(seed) {}

  void set_faults(const NetworkFaults& faults) { faults_ = faults; }
  // Sees every message sent, before faults apply.
  void set_send_hook(std::function<void(const Message&)> hook) { send_hook_ = std::move(hook); }
  // Nodes in different groups cannot talk. Nodes not named are in group 0.
  void SetPartition(const std::map<NodeId, int>& groups) { groups_ = groups; }
  void Heal() {
    groups_.clear();
    blocked_.clear();
  }
  // One-way fault: messages from `from` to `to` are lost, the other direction works.
  void Block(NodeId from, NodeId to) { blocked_.insert({from, to}); }
  bool Connected(NodeId from, NodeId to) const {
    return Group(from) == Group(to) && blocked_.count({from, to}) == 0;
  }

  void Send(Message message, uint64_t now);
  // Puts back a message that was due but could not be taken (its receiver is paused); no
  // faults apply a second time.
  void Requeue(Message message, uint64_t due);
  // Removes and returns the next message due at or before `now`, in delivery order.
  bool PopDue(uint64_t now, Message* message);
  uint64_t sent() const { return sent_; }

 private:
  struct InFlight {
    uint64_t due = 0;
    uint64_t order = 0;  // random tie-break among messages due in the same tick
    Message message;
    bool operator>(const InFlight& other) const {
      return due != other.due ? due > other.due : order > other.order;
    }
  };

  int Group(NodeId id) const {
    auto it = groups_.find(id);
    return it == groups_.end() ? 0 : it->second;
  }
  double Coin() { return std::uniform_real_distribution<double>(0, 1)(rng_); }

  std::mt19937_64 rng_;
  NetworkFaults faults_;
  std::function<void(const Message&)> send_hook_;
  std::map<NodeId, int> groups_;
  std::set<std::pair<NodeId, NodeId>> blocked_;
  std::priority_queue<InFlight, std::vector<InFlight>, std::greater<>> queue_;
  uint64_t sent_ = 0;
};

// One node's Transport into the shared network.
class SimTransport final : public Transport {
 public:
  SimTransport(SimNetwork* network, const uint64_t* now) : network_(network), now_(now) {}
  void Send(Message message) override { network_->Send(std::move(message), *now_); }

 private:
  SimNetwork* network_;
  const uint64_t* now_;
};

}  // namespace tessera::raft::sim
