#include "tests/fault/workload_checker.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <system_error>

#include "tests/fault/file_content.h"
#include "tests/fault/workload_model.h"

namespace tessera::fault {
namespace {

namespace fs = std::filesystem;

enum class Kind { kFile, kDirectory, kOther };

// Every entry under `dir`, by path relative to it.
Result<std::map<std::string, Kind>> ListTree(const std::string& dir) {
  std::map<std::string, Kind> tree;
  std::error_code error;
  fs::recursive_directory_iterator it(dir, error), end;
  for (; !error && it != end; it.increment(error)) {
    const fs::file_status status = it->symlink_status(error);
    if (error) break;
    Kind kind = fs::is_regular_file(status) ? Kind::kFile
                : fs::is_directory(status)  ? Kind::kDirectory
                                            : Kind::kOther;
    tree[fs::relative(it->path(), dir).string()] = kind;
  }
  if (error) return Status::IoError("cannot list " + dir + ": " + error.message());
  return tree;
}

Result<std::string> ReadWhole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError("cannot open " + path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return Status::IoError("cannot read " + path);
  return buffer.str();
}

}  // namespace

std::string WorkloadReport::Summary() const {
  std::ostringstream out;
  out << operations << " operations (" << succeeded << " ok, " << failed << " failed), " << files
      << " files at the end; " << violations.size() << " violation(s)";
  constexpr size_t kFailuresShown = 5;
  for (size_t i = 0; i < failures.size() && i < kFailuresShown; ++i) {
    out << "\n  failed: " << failures[i];
  }
  for (const std::string& violation : violations) out << "\n  " << violation;
  return out.str();
}

Result<WorkloadReport> CheckWorkload(const std::vector<JournalEntry>& journal,
                                     const std::string& dir) {
  WorkloadReport report;
  WorkloadModel model;
  for (const JournalEntry& entry : journal) {
    ++report.operations;
    if (entry.ok()) {
      ++report.succeeded;
    } else {
      ++report.failed;
      report.failures.push_back(entry.Describe() + ": " + entry.DescribeResult() + " after " +
                                std::to_string((entry.end_ns - entry.start_ns) / 1'000'000) +
                                " ms");
    }
    if (std::optional<std::string> violation = model.Apply(entry)) {
      report.violations.push_back(*violation);
    }
  }
  report.files = static_cast<int64_t>(model.files().size());

  ASSIGN_OR_RETURN(auto tree, ListTree(dir));
  for (const std::string& path : model.dirs()) {
    auto found = tree.find(path);
    if (found == tree.end()) {
      report.violations.push_back("directory " + path + " was made (acknowledged) but is missing");
    } else if (found->second != Kind::kDirectory) {
      report.violations.push_back(path + " must be a directory");
    }
  }
  for (const auto& [path, file] : model.files()) {
    auto found = tree.find(path);
    if (found == tree.end()) {
      report.violations.push_back("file " + path + " was acknowledged but is missing");
      continue;
    }
    if (found->second != Kind::kFile) {
      report.violations.push_back(path + " must be a regular file");
      continue;
    }
    Result<std::string> bytes = ReadWhole(dir + "/" + path);
    if (!bytes.ok()) {
      report.violations.push_back(bytes.status().ToString());
    } else if (*bytes != FileContent(file.content_id, file.size)) {
      report.violations.push_back("file " + path + " holds " + std::to_string(bytes->size()) +
                                  " bytes that differ from the " + std::to_string(file.size) +
                                  " it was written with");
    }
  }
  for (const auto& [path, kind] : tree) {
    if (model.files().count(path) || model.dirs().count(path) || model.uncertain().count(path)) {
      continue;
    }
    report.violations.push_back(path + " exists, but the workload never created it (or it was "
                                "unlinked or renamed away with success)");
  }
  return report;
}

ProgressSince ProgressAfter(const std::vector<JournalEntry>& journal, int64_t since_ns) {
  ProgressSince progress;
  for (const JournalEntry& entry : journal) {
    if (entry.start_ns < since_ns && entry.end_ns > since_ns) ++progress.in_flight;
    if (entry.start_ns < since_ns || !entry.ok()) continue;
    if (progress.succeeded++ == 0) progress.first_success_ns = entry.end_ns - since_ns;
  }
  return progress;
}

}  // namespace tessera::fault
