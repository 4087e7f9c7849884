#include "tests/fault/workload_journal.h"

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>

namespace tessera::fault {
namespace {

constexpr std::pair<Op, std::string_view> kOpNames[] = {{Op::kCreate, "create"},
                                                        {Op::kMkdir, "mkdir"},
                                                        {Op::kRename, "rename"},
                                                        {Op::kUnlink, "unlink"},
                                                        {Op::kRead, "read"}};

std::optional<Op> OpFromName(std::string_view name) {
  for (const auto& [op, op_name] : kOpNames) {
    if (op_name == name) return op;
  }
  return std::nullopt;
}

}  // namespace

std::string_view OpName(Op op) {
  for (const auto& [known, name] : kOpNames) {
    if (known == op) return name;
  }
  return "?";
}

int JournalEntry::error_number() const {
  const size_t colon = result.find(':');
  if (colon == std::string::npos) return 0;
  return std::atoi(result.c_str() + colon + 1);
}

std::string JournalEntry::DescribeResult() const {
  const size_t colon = result.find(':');
  if (colon == std::string::npos) return result;
  return result.substr(0, colon) + ": " + strerror(error_number());
}

std::string JournalEntry::Describe() const {
  std::string text = "#" + std::to_string(seq) + " " + std::string(OpName(op)) + " " + path;
  if (op == Op::kRename) text += " -> " + target;
  return text;
}

std::string FormatJournalLine(const JournalEntry& entry) {
  std::ostringstream line;
  line << entry.seq << ' ' << OpName(entry.op) << ' ' << entry.path << ' '
       << (entry.target.empty() ? "-" : entry.target) << ' ' << entry.content_id << ' '
       << entry.size << ' ' << entry.result << ' ' << entry.start_ns << ' ' << entry.end_ns
       << '\n';
  return line.str();
}

Result<JournalEntry> ParseJournalLine(const std::string& line) {
  std::istringstream fields(line);
  JournalEntry entry;
  std::string op;
  fields >> entry.seq >> op >> entry.path >> entry.target >> entry.content_id >> entry.size >>
      entry.result >> entry.start_ns >> entry.end_ns;
  std::string extra;
  if (!fields || (fields >> extra)) {
    return Status::Corruption("malformed journal line: '" + line + "'");
  }
  std::optional<Op> parsed = OpFromName(op);
  if (!parsed) return Status::Corruption("unknown operation in journal line: '" + line + "'");
  entry.op = *parsed;
  if (entry.target == "-") entry.target.clear();
  return entry;
}

Result<std::vector<JournalEntry>> ReadJournal(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError("cannot open the journal " + path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  std::vector<JournalEntry> entries;
  size_t begin = 0;
  for (size_t end; (end = text.find('\n', begin)) != std::string::npos; begin = end + 1) {
    ASSIGN_OR_RETURN(JournalEntry entry, ParseJournalLine(text.substr(begin, end - begin)));
    entries.push_back(std::move(entry));
  }
  return entries;
}

}  // namespace tessera::fault
