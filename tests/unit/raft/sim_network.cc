#include "tests/unit/raft/sim_network.h"

#include <utility>

namespace tessera::raft::sim {

void SimNetwork::Send(Message message, uint64_t now) {
  ++sent_;
  if (send_hook_) send_hook_(message);
  if (!Connected(message.from, message.to) || Coin() < faults_.loss) return;
  int copies = Coin() < faults_.duplicate ? 2 : 1;
  for (int i = 0; i < copies; ++i) {
    uint64_t delay = faults_.max_delay == 0 ? 0 : rng_() % (faults_.max_delay + 1);
    queue_.push(InFlight{.due = now + delay, .order = rng_(), .message = message});
  }
}

void SimNetwork::Requeue(Message message, uint64_t due) {
  queue_.push(InFlight{.due = due, .order = rng_(), .message = std::move(message)});
}

bool SimNetwork::PopDue(uint64_t now, Message* message) {
  while (!queue_.empty() && queue_.top().due <= now) {
    InFlight next = queue_.top();
    queue_.pop();
    if (!Connected(next.message.from, next.message.to)) continue;
    *message = std::move(next.message);
    return true;
  }
  return false;
}

}  // namespace tessera::raft::sim
