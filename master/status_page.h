// The master's human status page (admin port "/"): one self-contained HTML document (inline
// CSS, no scripts or external assets, refreshes itself every few seconds) with the cluster at a
// glance: the masters with role and term, the chunk servers with fill bars and state, chunk
// health, replication progress. A follower shows what it knows and names the leader, since the
// chunk servers report to the leader only. Pure function; thread-safe.
#pragma once

#include <string>

#include "master/master_admin.h"

namespace tessera::master {

struct StatusPageOptions {
  int refresh_seconds = 5;
};

std::string RenderStatusPage(const MasterAdminView& view, const std::string& self_address,
                             StatusPageOptions options = {});

// Text safe inside HTML element content and attribute values.
std::string HtmlEscape(const std::string& text);
// 1536 -> "1.5 KiB".
std::string FormatBytes(int64_t bytes);

}  // namespace tessera::master
