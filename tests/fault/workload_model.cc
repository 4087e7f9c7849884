#include "tests/fault/workload_model.h"

#include <cerrno>

namespace tessera::fault {
namespace {

std::string Violation(const JournalEntry& entry, const std::string& why) {
  return entry.Describe() + " failed with " + entry.DescribeResult() + ": " + why;
}

constexpr char kAppliedTwice[] = "the name was fresh, so a retried request was applied twice";
constexpr char kLostOrTwice[] =
    "the workload knew it existed, so a retried request was applied twice or an acknowledged "
    "operation was lost";

}  // namespace

std::optional<std::string> WorkloadModel::Apply(const JournalEntry& entry) {
  const int error = entry.error_number();
  switch (entry.op) {
    case Op::kCreate:
      if (entry.ok()) {
        files_[entry.path] = {entry.content_id, entry.size};
        return std::nullopt;
      }
      uncertain_.insert(entry.path);
      if (entry.result.rfind("open:", 0) == 0 && error == EEXIST) {
        return Violation(entry, kAppliedTwice);
      }
      return std::nullopt;
    case Op::kMkdir:
      if (entry.ok()) {
        dirs_.insert(entry.path);
        return std::nullopt;
      }
      uncertain_.insert(entry.path);
      if (error == EEXIST) return Violation(entry, kAppliedTwice);
      return std::nullopt;
    case Op::kRename: {
      auto from = files_.find(entry.path);
      if (from == files_.end()) return entry.Describe() + ": the workload renamed an unknown file";
      KnownFile file = from->second;
      files_.erase(from);
      if (entry.ok()) {
        files_[entry.target] = file;
        return std::nullopt;
      }
      uncertain_.insert(entry.path);
      uncertain_.insert(entry.target);
      if (error == ENOENT) return Violation(entry, kLostOrTwice);
      return std::nullopt;
    }
    case Op::kUnlink: {
      if (files_.erase(entry.path) == 0) {
        return entry.Describe() + ": the workload unlinked an unknown file";
      }
      if (entry.ok()) return std::nullopt;
      uncertain_.insert(entry.path);
      if (error == ENOENT) return Violation(entry, kLostOrTwice);
      return std::nullopt;
    }
    case Op::kRead:
      if (entry.result == "mismatch") {
        return entry.Describe() + " returned other bytes than the create wrote";
      }
      if (error == ENOENT) return Violation(entry, kLostOrTwice);
      return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace tessera::fault
