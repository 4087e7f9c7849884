// What the workload's directory must hold, rebuilt from the outcomes of its operations. The
// workload uses it to pick its next operation; the checker replays the journal through it and
// compares the result with the tree on the mount.
//
// Every name the workload creates is fresh (it carries the operation's sequence number), and the
// workload only ever touches names it knows for certain exist. So:
//   - an operation that succeeded changes the model;
//   - one that failed with an error that does not say what happened (EIO, ETIMEDOUT, ...) may or
//     may not have been applied: its names become uncertain (either state is accepted in the
//     end, with any content) and are never touched again;
//   - a create or mkdir of a fresh name that fails with EEXIST, or a rename, unlink or read of a
//     known name that fails with ENOENT, proves that a retried request was applied twice or
//     that an acknowledged operation was lost: Apply() reports it as a violation.
//
// Thread-safety: none; one thread owns a model.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "tests/fault/workload_journal.h"

namespace tessera::fault {

struct KnownFile {
  uint64_t content_id = 0;
  int64_t size = 0;
};

class WorkloadModel {
 public:
  // Applies one journaled outcome; returns a violation message for an outcome that proves a
  // retry was applied twice or an acknowledged operation was lost.
  std::optional<std::string> Apply(const JournalEntry& entry);

  // Paths relative to the workload's directory.
  const std::map<std::string, KnownFile>& files() const { return files_; }
  const std::set<std::string>& dirs() const { return dirs_; }
  // Paths an unexplained failure left either existing (with any content) or not.
  const std::set<std::string>& uncertain() const { return uncertain_; }

 private:
  std::map<std::string, KnownFile> files_;
  std::set<std::string> dirs_;
  std::set<std::string> uncertain_;
};

}  // namespace tessera::fault
