#include "client/open_file_reporter.h"

#include <algorithm>
#include <vector>

#include "common/logging.h"
#include "common/open_files.h"

namespace tessera::client {

OpenFileReporter::OpenFileReporter(MasterConnection& master, const InodeRegistry& inodes,
                                   int64_t mount_id, int interval_ms)
    : master_(master),
      inodes_(inodes),
      mount_id_(mount_id),
      thread_(interval_ms, [this] { (void)ReportOnce(); }) {}  // ReportOnce logs and counts failures

OpenFileReportCounters OpenFileReporter::counters() const {
  std::lock_guard lock(mu_);
  return counters_;
}

Status OpenFileReporter::ReportOnce() {
  const std::vector<int64_t> open = inodes_.OpenInodes();
  Status sent = Status::Ok();
  for (size_t first = 0; first < open.size() && sent.ok(); first += kMaxOpenFilesPerReport) {
    const size_t end = std::min(open.size(), first + kMaxOpenFilesPerReport);
    sent = master_.ReportOpenFiles(mount_id_, std::vector<int64_t>(open.begin() + first,
                                                                    open.begin() + end));
  }
  std::lock_guard lock(mu_);
  if (open.empty()) return sent;
  if (sent.ok()) {
    ++counters_.reports_sent;
    if (last_failed_) {
      LOG(kInfo, "client") << "mount " << mount_id_ << " reports its " << open.size()
                           << " open file(s) to the master again";
    }
  } else {
    ++counters_.reports_failed;
    if (!last_failed_) {
      LOG(kWarning, "client") << "mount " << mount_id_ << " could not report its " << open.size()
                              << " open file(s) to the master (unlinked ones among them are "
                              << "freed if this lasts past the master's grace): "
                              << sent.ToString();
    }
  }
  last_failed_ = !sent.ok();
  return sent;
}

}  // namespace tessera::client
