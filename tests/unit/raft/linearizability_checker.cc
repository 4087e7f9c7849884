#include "tests/unit/raft/linearizability_checker.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

namespace tessera::raft::sim {
namespace {

class RegisterSearch {
 public:
  explicit RegisterSearch(std::vector<KvOperation> ops) : ops_(std::move(ops)) {
    std::sort(ops_.begin(), ops_.end(),
              [](const KvOperation& a, const KvOperation& b) { return a.invoked < b.invoked; });
    done_.assign(ops_.size(), false);
  }

  bool Run() { return Search(""); }

 private:
  // Depth-first: try every operation that may come next (invoked before every pending
  // operation's response), as long as it agrees with the register's value.
  bool Search(const std::string& value) {
    uint64_t earliest_response = KvOperation::kNever;
    bool any_left = false;
    for (size_t i = 0; i < ops_.size(); ++i) {
      if (done_[i]) continue;
      any_left = true;
      earliest_response = std::min(earliest_response, ops_[i].responded);
    }
    if (!any_left) return true;
    for (size_t i = 0; i < ops_.size(); ++i) {
      if (done_[i]) continue;
      const KvOperation& op = ops_[i];
      if (op.invoked > earliest_response) break;  // sorted by invocation
      if (!op.is_put && op.value != value) continue;
      const std::string& next_value = op.is_put ? op.value : value;
      done_[i] = true;
      if (visited_.insert({done_, next_value}).second && Search(next_value)) return true;
      done_[i] = false;
    }
    return false;
  }

  std::vector<KvOperation> ops_;
  std::vector<bool> done_;
  std::set<std::pair<std::vector<bool>, std::string>> visited_;
};

}  // namespace

std::string CheckLinearizable(const std::vector<KvOperation>& history, size_t max_ops_per_key) {
  std::map<std::string, std::vector<KvOperation>> by_key;
  for (const KvOperation& op : history) by_key[op.key].push_back(op);
  for (auto& [key, ops] : by_key) {
    if (ops.size() > max_ops_per_key) {
      return "key '" + key + "' has " + std::to_string(ops.size()) + " operations, more than " +
             std::to_string(max_ops_per_key) + " the checker accepts";
    }
    if (!RegisterSearch(std::move(ops)).Run()) {
      return "history of key '" + key + "' is not linearizable";
    }
  }
  return "";
}

}  // namespace tessera::raft::sim
