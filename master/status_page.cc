#include "master/status_page.h"

#include <algorithm>
#include <cstdio>

namespace tessera::master {

namespace {

constexpr char kStyle[] = R"css(
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;background:#f4f6f8;color:#1d2630}
header{background:#1d2630;color:#fff;padding:14px 24px;display:flex;align-items:baseline;gap:24px}
header h1{margin:0;font-size:22px}
header .sub{color:#aab4bf;font-size:14px}
main{padding:16px 24px}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin-bottom:18px}
.card{background:#fff;border-radius:8px;padding:12px 16px;min-width:170px;box-shadow:0 1px 3px rgba(0,0,0,.12)}
.card .label{font-size:12px;text-transform:uppercase;color:#6b7785;letter-spacing:.04em}
.card .value{font-size:24px;font-weight:600;margin-top:4px}
.card .note{font-size:12px;color:#6b7785;margin-top:2px}
h2{font-size:16px;margin:18px 0 8px}
table{border-collapse:collapse;width:100%;background:#fff;border-radius:8px;overflow:hidden;box-shadow:0 1px 3px rgba(0,0,0,.12)}
th,td{text-align:left;padding:7px 10px;font-size:14px;border-bottom:1px solid #e6eaee}
th{background:#eef1f4;font-size:12px;text-transform:uppercase;color:#4a5663}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.dead td{color:#8a96a3}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;color:#fff}
.ok{background:#2e9d5b}.warn{background:#d98e04}.bad{background:#c8372d}.info{background:#3f6fb5}.muted{background:#8a96a3}
.bar{position:relative;width:220px;height:16px;background:#e6eaee;border-radius:4px;overflow:hidden}
.bar span{position:absolute;left:0;top:0;bottom:0}
.bar em{position:absolute;right:6px;top:0;font-size:11px;font-style:normal;line-height:16px;color:#1d2630}
.notice{background:#fff6df;border:1px solid #f0d58a;border-radius:8px;padding:10px 14px;margin-bottom:14px}
.source{font-size:13px;color:#4a5663;margin:-4px 0 8px}
.source.alarm{color:#c8372d;font-weight:600}
.good{color:#2e9d5b}.alarm{color:#c8372d}.caution{color:#d98e04}
footer{color:#8a96a3;font-size:12px;padding:8px 24px 20px}
)css";

std::string Badge(const std::string& text, const char* kind) {
  return "<span class=\"badge " + std::string(kind) + "\">" + HtmlEscape(text) + "</span>";
}

const char* RoleKind(const std::string& role) {
  if (role == "leader") return "ok";
  if (role == "follower") return "info";
  if (role == "unreachable") return "bad";
  return "warn";
}

const char* StateKind(const std::string& state) {
  if (state == "alive") return "ok";
  if (state == "draining") return "warn";
  return "bad";
}

// A fill bar; green below 70 %, amber below 90 %, red above; grey when `stale` (the numbers
// are a dead server's last report).
std::string FillBar(int64_t used, int64_t capacity, bool stale = false) {
  if (capacity <= 0) return "<span class=\"muted-text\">no report</span>";
  const double fraction = std::clamp(static_cast<double>(used) / capacity, 0.0, 1.0);
  const char* color = stale            ? "#b7c0c9"
                      : fraction < 0.7 ? "#2e9d5b"
                      : fraction < 0.9 ? "#d98e04"
                                       : "#c8372d";
  char percent[16];
  std::snprintf(percent, sizeof(percent), "%.1f%%", fraction * 100);
  char width[16];
  std::snprintf(width, sizeof(width), "%.1f", fraction * 100);
  return "<div class=\"bar\" title=\"" + FormatBytes(used) + " of " + FormatBytes(capacity) +
         "\"><span style=\"width:" + width + "%;background:" + color + "\"></span><em>" + percent +
         "</em></div>";
}

std::string Card(const std::string& label, const std::string& value, const std::string& note,
                 const char* value_class = "") {
  return "<div class=\"card\"><div class=\"label\">" + HtmlEscape(label) +
         "</div><div class=\"value " + value_class + "\">" + value + "</div><div class=\"note\">" +
         note + "</div></div>";
}

std::string Cell(const std::string& html, bool numeric = false) {
  return numeric ? "<td class=\"num\">" + html + "</td>" : "<td>" + html + "</td>";
}

std::string Number(int64_t value) { return std::to_string(value); }

// Rebalance progress: state, bytes moved and left, rate and time left, the spread of use.
std::string BalanceCard(const rpc::BalanceStatus& balance) {
  const double seconds = static_cast<double>(balance.elapsed_ms) / 1000.0;
  const double rate = seconds > 0 ? static_cast<double>(balance.bytes_moved) / seconds : 0;
  std::string note = FormatBytes(balance.bytes_moved) + " moved, " +
                     FormatBytes(balance.bytes_remaining) + " left";
  if (balance.state == "running" && rate > 0) {
    const auto eta_s = static_cast<int64_t>(static_cast<double>(balance.bytes_remaining) / rate);
    note +=
        ", " + FormatBytes(static_cast<int64_t>(rate)) + "/s, about " + Number(eta_s) + " s to go";
  }
  char spread[96];
  std::snprintf(spread, sizeof(spread), "; use %.1f%% on average, farthest %.1f points off",
                balance.mean_use_pct, balance.max_deviation_pct);
  note += spread;
  if (!balance.last_error.empty()) note += "; last problem: " + HtmlEscape(balance.last_error);
  const std::string title =
      balance.automatic && balance.state == "idle" ? std::string("automatic") : balance.state;
  return Card("Rebalance", HtmlEscape(title), note,
              balance.state == "running" ? "caution" : "good");
}

std::string Uptime(double seconds) {
  const int64_t total = static_cast<int64_t>(seconds);
  char text[32];
  if (total >= 86400) {
    std::snprintf(text, sizeof(text), "%lldd %lldh", static_cast<long long>(total / 86400),
                  static_cast<long long>(total % 86400 / 3600));
  } else if (total >= 3600) {
    std::snprintf(text, sizeof(text), "%lldh %lldm", static_cast<long long>(total / 3600),
                  static_cast<long long>(total % 3600 / 60));
  } else {
    std::snprintf(text, sizeof(text), "%lldm %llds", static_cast<long long>(total / 60),
                  static_cast<long long>(total % 60));
  }
  return text;
}

// "the leader m2 at 10.0.0.2:9400"
std::string LeaderName(const LeaderReport& report) {
  return "the leader m" + Number(report.leader_id) + " at " + HtmlEscape(report.leader_address);
}

// Where a follower's chunk servers come from, in one line; empty on the leader.
std::string ChunkServerSourceLine(const MasterAdminView& view) {
  switch (view.chunk_server_source) {
    case ChunkServerSource::kSelf:
      return "";
    case ChunkServerSource::kLeader:
      return "<p class=\"source\">Chunk servers as reported by " +
             LeaderName(*view.leader_report) + ", " + Number(view.leader_report->age_ms) +
             " ms ago.</p>";
    case ChunkServerSource::kUnavailable:
      break;
  }
  if (!view.leader_report) {
    return "<p class=\"source alarm\">Chunk servers unknown: no leader is known to ask "
           "(they report to the leader only).</p>";
  }
  return "<p class=\"source alarm\">Chunk servers unknown: " + LeaderName(*view.leader_report) +
         " could not be reached " + Number(view.leader_report->age_ms) + " ms ago (" +
         HtmlEscape(view.leader_report->error) + ").</p>";
}

std::string MastersTable(const MasterAdminView& view) {
  std::string html =
      "<h2>Masters</h2><table><tr><th>Id</th><th>Address</th><th>Role</th><th>Term</th>"
      "<th>Voter</th><th>Log index (as the leader sees it)</th></tr>";
  for (const rpc::MasterStatus& master : view.masters) {
    const bool self = master.id == static_cast<int64_t>(view.group.id);
    html += "<tr>" + Cell(Number(master.id) + (self ? " (this one)" : "")) +
            Cell(HtmlEscape(master.address)) + Cell(Badge(master.role, RoleKind(master.role))) +
            Cell(Number(master.term), true) + Cell(master.voter ? "yes" : "learner") +
            Cell(master.match_index > 0 ? Number(master.match_index) : "&ndash;", true) + "</tr>";
  }
  return html + "</table>";
}

std::string ChunkServersTable(const MasterAdminView& view) {
  std::string html = "<h2>Chunk servers</h2>" + ChunkServerSourceLine(view) +
                     "<table><tr><th>Id</th><th>Address</th><th>Rack</th><th>State</th>"
                     "<th>Fill</th><th>Used</th><th>Capacity</th><th>Chunks</th>"
                     "<th>Active requests</th><th>Last heartbeat</th></tr>";
  if (view.chunk_servers.empty()) {
    html += "<tr><td colspan=\"10\">";
    html += view.chunk_server_source == ChunkServerSource::kUnavailable
                ? "Unknown here: see the line above."
                : "No chunk server has registered with this master.";
    html += "</td></tr>";
  }
  for (const rpc::ChunkServerStatus& server : view.chunk_servers) {
    const std::string state = ChunkServerState(server);
    const int64_t used = server.stats.total_bytes - server.stats.free_bytes;
    std::string dirs = Number(server.stats.data_dirs_ok) + " data dir(s) ok";
    if (server.stats.data_dirs_failed > 0) {
      dirs += ", <span class=\"alarm\">" + Number(server.stats.data_dirs_failed) + " failed</span>";
    }
    html += std::string(state == "dead" ? "<tr class=\"dead\">" : "<tr>") +
            Cell(Number(server.info.server_id)) +
            Cell(HtmlEscape(server.info.host + ":" + std::to_string(server.info.port))) +
            Cell(HtmlEscape(server.info.rack.empty() ? "-" : server.info.rack)) +
            Cell(Badge(state, StateKind(state))) +
            Cell(FillBar(used, server.stats.total_bytes, state == "dead")) +
            Cell(FormatBytes(used), true) +
            Cell(FormatBytes(server.stats.total_bytes) + "<br><small>" + dirs + "</small>", true) +
            Cell(Number(server.stats.chunk_count), true) +
            Cell(Number(server.stats.active_requests), true) +
            Cell(Number(server.last_heartbeat_age_ms) + " ms ago", true) + "</tr>";
  }
  return html + "</table>";
}

std::string SummaryCards(const MasterAdminView& view) {
  int alive = 0, dead = 0, draining = 0;
  int64_t capacity = 0, free_bytes = 0;
  for (const rpc::ChunkServerStatus& server : view.chunk_servers) {
    const std::string state = ChunkServerState(server);
    if (state == "alive") ++alive;
    if (state == "dead") ++dead;
    if (state == "draining") ++draining;
    if (state == "alive") {
      capacity += server.stats.total_bytes;
      free_bytes += server.stats.free_bytes;
    }
  }
  const ReplicationCounters& copies = view.replication;
  std::string health;
  const char* health_class = "good";
  if (copies.chunks_missing > 0) {
    health = Number(copies.chunks_missing) + " missing";
    health_class = "alarm";
  } else if (copies.chunks_under_goal > 0) {
    health = Number(copies.chunks_under_goal) + " under goal";
    health_class = "caution";
  } else {
    health = "healthy";
  }
  std::string html = "<div class=\"cards\">";
  if (view.chunk_server_source == ChunkServerSource::kUnavailable) {
    html += Card("Chunk servers", "unknown", "the leader could not be asked", "alarm");
    html += Card("Space used", "unknown", "the leader could not be asked");
  } else {
    html += Card("Chunk servers", Number(alive) + " / " + Number(view.chunk_servers.size()),
                 Number(alive) + " alive, " + Number(dead) + " dead, " + Number(draining) +
                     " draining",
                 dead > 0 ? "alarm" : "good");
    html += Card("Space used", FormatBytes(capacity - free_bytes),
                 FillBar(capacity - free_bytes, capacity) + "of " + FormatBytes(capacity) +
                     " on live servers");
  }
  if (view.chunk_server_source == ChunkServerSource::kSelf) {
    html += Card("Chunk health", health,
                 Number(copies.chunks_under_goal) + " under goal, " +
                     Number(copies.chunks_missing) + " missing, " +
                     Number(copies.chunks_over_goal) + " over goal",
                 health_class);
    html += Card("Replication", Number(copies.copies_queued) + " queued",
                 Number(copies.copies_done) + " copies done (" +
                     FormatBytes(copies.bytes_copied) + "), " + Number(copies.copies_failed) +
                     " failed, " + Number(copies.chunks_draining) +
                     " chunks left on draining servers");
  } else {
    // A follower scans no chunks and copies none: its own counters would read "healthy".
    html += Card("Chunk health", "on the leader", "the leader scans chunks; see its page");
    html += Card("Replication", "on the leader", "the leader plans copies; see its page");
  }
  if (view.balance && view.chunk_server_source == ChunkServerSource::kSelf) {
    html += BalanceCard(*view.balance);
  } else if (view.balance) {
    // The leader moves the replicas and measures the spread; a follower's numbers stay zero.
    html += Card("Rebalance", "on the leader", "the leader moves replicas; see its page");
  }
  html += Card("Namespace", Number(view.meta.chunk_count) + " chunks",
               Number(view.meta.inode_count) + " inodes, applied index " +
                   Number(static_cast<int64_t>(view.group.applied_index)));
  html +=
      Card("Garbage collection", Number(copies.orphans_deleted) + " deleted",
           Number(copies.orphans_waiting) + " unreferenced chunks waiting, " +
               Number(static_cast<int64_t>(view.unlinked.inodes_freed)) + " unlinked inodes freed");
  return html + "</div>";
}

}  // namespace

std::string HtmlEscape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string FormatBytes(int64_t bytes) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  double value = static_cast<double>(bytes);
  size_t unit = 0;
  while ((value >= 1024 || value <= -1024) && unit + 1 < std::size(kUnits)) {
    value /= 1024;
    ++unit;
  }
  char text[32];
  if (unit == 0) {
    std::snprintf(text, sizeof(text), "%lld B", static_cast<long long>(bytes));
  } else {
    std::snprintf(text, sizeof(text), "%.1f %s", value, kUnits[unit]);
  }
  return text;
}

std::string RenderStatusPage(const MasterAdminView& view, const std::string& self_address,
                             StatusPageOptions options) {
  const std::string role(raft::RoleName(view.group.role));
  std::string html = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">";
  html += "<meta http-equiv=\"refresh\" content=\"" + std::to_string(options.refresh_seconds) +
          "\"><title>Tessera &middot; " + HtmlEscape(self_address) + "</title><style>" + kStyle +
          "</style></head><body>";
  html += "<header><h1>Tessera cluster</h1><span class=\"sub\">master " +
          Number(static_cast<int64_t>(view.group.id)) + " at " + HtmlEscape(self_address) +
          " &middot; " + Badge(role, RoleKind(role)) + " &middot; term " +
          Number(static_cast<int64_t>(view.group.term)) + " &middot; commit index " +
          Number(static_cast<int64_t>(view.group.commit_index)) + " &middot; up " +
          Uptime(view.uptime_s) + "</span></header><main>";
  if (view.group.stopped) {
    html +=
        "<div class=\"notice alarm\">This master's Raft node stopped after a storage "
        "failure; it serves nothing until restarted.</div>";
  } else if (view.group.role != raft::Role::kLeader) {
    html += "<div class=\"notice\">This master is a <b>" + HtmlEscape(role) + "</b>. ";
    if (!view.group.leader_address.empty()) {
      html += "The leader is master " + Number(static_cast<int64_t>(view.group.leader_id)) +
              " at <b>" + HtmlEscape(view.group.leader_address) +
              "</b>; chunk servers report to it";
      html += view.chunk_server_source == ChunkServerSource::kSelf
                  ? ", so open its admin port for their state."
                  : ", and this page shows them as it reports them.";
    } else {
      html += "No leader is known right now (an election may be running).";
    }
    html += "</div>";
  }
  html += SummaryCards(view);
  html += MastersTable(view);
  html += ChunkServersTable(view);
  html += "</main><footer>Refreshes every " + std::to_string(options.refresh_seconds) +
          " s. Machine-readable: <a href=\"/status\">/status</a> (JSON), "
          "<a href=\"/metrics\">/metrics</a> (Prometheus), <a href=\"/healthz\">/healthz</a>."
          "</footer></body></html>\n";
  return html;
}

}  // namespace tessera::master
