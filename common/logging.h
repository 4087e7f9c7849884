// One line per event: "2026-11-24T02:30:00.123Z INFO  master req=abc: message".
//
// Thread-safe: each line is formatted into one buffer and written with a single write(2) to
// stderr, so lines from different threads never interleave. Daemons redirect stderr to their
// log file. The minimum level is process-wide configuration set once at start-up (SetLogLevel)
// before threads are started.
#pragma once

#include <sstream>
#include <string>
#include <string_view>

namespace tessera {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

void SetLogLevel(LogLevel level);
bool LogEnabled(LogLevel level);
// Parses "debug", "info", "warning", "error".
bool ParseLogLevel(std::string_view text, LogLevel* level);
void WriteLogLine(LogLevel level, std::string_view component, std::string_view request_id,
                  std::string_view message);

namespace internal {
class LogLine {
 public:
  LogLine(LogLevel level, std::string_view component, std::string_view request_id)
      : level_(level), component_(component), request_id_(request_id) {}
  ~LogLine() { WriteLogLine(level_, component_, request_id_, stream_.str()); }
  std::ostringstream& stream() { return stream_; }

 private:
  LogLevel level_;
  std::string_view component_;
  std::string_view request_id_;
  std::ostringstream stream_;
};
}  // namespace internal

}  // namespace tessera

// LOG(kInfo, "master") << "chunk server " << id << " registered";
#define LOG(level, component)                                 \
  if (!::tessera::LogEnabled(::tessera::LogLevel::level)) {   \
  } else                                                      \
    ::tessera::internal::LogLine(::tessera::LogLevel::level, component, "").stream()

// LOG_REQ(kWarning, "chunkserver", req.request_id) << "checksum mismatch ...";
#define LOG_REQ(level, component, request_id)                 \
  if (!::tessera::LogEnabled(::tessera::LogLevel::level)) {   \
  } else                                                      \
    ::tessera::internal::LogLine(::tessera::LogLevel::level, component, request_id).stream()
