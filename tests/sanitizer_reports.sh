# Sourced by the shell tests: a sanitizer report (ASan, LSan, UBSan, TSan) in the log of a
# daemon a test started must fail that test. The daemons run in the background with their
# stderr in a log, so nothing else would notice a report, nor a daemon that reported and exited.
# The markers are those of tests/integration/sanitizer_report.cc (the C++ harness's check).

# no_sanitizer_reports LOG...: prints each report (from its first line, at most 80 lines) with
# its log's name on stderr; false when there was one. Missing logs are skipped.
no_sanitizer_reports() {
  local log found=0
  for log in "$@"; do
    [ -f "$log" ] || continue
    grep -qE 'ERROR: (Address|Leak)Sanitizer|: runtime error: |WARNING: ThreadSanitizer' "$log" \
      || continue
    found=1
    echo "FAIL: sanitizer report in $log:" >&2
    sed -nE '/ERROR: (Address|Leak)Sanitizer|: runtime error: |WARNING: ThreadSanitizer/,$p' "$log" \
      | head -n 80 >&2
  done
  [ $found = 0 ]
}
