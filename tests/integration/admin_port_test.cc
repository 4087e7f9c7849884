// Every daemon's HTTP admin port against a real cluster: /metrics parses as strict Prometheus
// text with the metrics the operators need and sane values after some writes, /status is JSON,
// /healthz answers; and the master's status page rendered by headless Chromium.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include "tests/integration/http_get.h"
#include "tests/integration/prometheus_text.h"
#include "tests/integration/test_cluster.h"

namespace tessera::testing {
namespace {

namespace fs = std::filesystem;
using std::chrono::steady_clock;

constexpr int64_t kFileBytes = 2 << 20;
constexpr int kFiles = 3;

HostPort Local(int port) { return HostPort{"127.0.0.1", port}; }

// Writes kFiles files of kFileBytes through the mount and reads them back.
void WriteAndReadFiles(const std::string& mountpoint) {
  std::string data(kFileBytes, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>((i * 131) % 251);
  for (int f = 0; f < kFiles; ++f) {
    const std::string path = mountpoint + "/file" + std::to_string(f);
    {
      std::ofstream out(path, std::ios::binary);
      out.write(data.data(), static_cast<std::streamsize>(data.size()));
      ASSERT_TRUE(out.good()) << path;
    }
    // Drop the pages the writes left in the kernel's cache, so that the reads reach the mount
    // and the chunk servers (and their metrics) rather than the page cache.
    const int fd = open(path.c_str(), O_RDONLY);
    ASSERT_GE(fd, 0) << path;
    EXPECT_EQ(posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED), 0);
    close(fd);
    std::ifstream in(path, std::ios::binary);
    std::string back((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ASSERT_EQ(back, data) << path;
  }
}

Result<PromFamilies> Scrape(int port) {
  ASSIGN_OR_RETURN(HttpReply reply, HttpGet(Local(port), "/metrics"));
  if (reply.status != 200)
    return Status::Internal("/metrics answered " + std::to_string(reply.status));
  if (!reply.content_type.starts_with("text/plain; version=0.0.4")) {
    return Status::Internal("/metrics content type " + reply.content_type);
  }
  return ParsePrometheusText(reply.body);
}

// The one sample of `family` with `labels`; NaN (failing every comparison) when absent.
double Value(const PromFamilies& families, const std::string& family,
             const std::map<std::string, std::string>& labels = {}) {
  std::vector<PromSample> samples = FindSamples(families, family, labels);
  EXPECT_EQ(samples.size(), 1u) << family;
  return samples.size() == 1 ? samples[0].value : std::nan("");
}

// Sum over every sample of `family` (or of its histogram's `_count` samples).
double Sum(const PromFamilies& families, const std::string& sample_name, const std::string& family,
           const std::map<std::string, std::string>& labels = {}) {
  double sum = 0;
  for (const PromSample& sample : FindSamples(families, family, labels)) {
    if (sample.name == sample_name) sum += sample.value;
  }
  return sum;
}

// Strict JSON check by Python's parser, which the scripts of operators use too.
void ExpectJsonObject(const std::string& body, const std::string& where) {
  char path[] = "/tmp/tessera-status-XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(write(fd, body.data(), body.size()), static_cast<ssize_t>(body.size()));
  close(fd);
  const std::string command = std::string(
                                  "python3 -c 'import json,sys; d=json.load(open(sys.argv[1]));"
                                  " sys.exit(0 if isinstance(d, dict) and d else 1)' ") +
                              path;
  EXPECT_EQ(std::system(command.c_str()), 0) << where << " /status is not a JSON object: " << body;
  unlink(path);
}

void ExpectStatusAndHealth(int port, const std::string& daemon, const std::string& health_body) {
  Result<HttpReply> status = HttpGet(Local(port), "/status");
  ASSERT_TRUE(status.ok()) << status.status().ToString();
  EXPECT_EQ(status->status, 200);
  EXPECT_EQ(status->content_type, "application/json");
  EXPECT_NE(status->body.find("\"daemon\":\"" + daemon + "\""), std::string::npos) << status->body;
  ExpectJsonObject(status->body, daemon);
  Result<HttpReply> health = HttpGet(Local(port), "/healthz");
  ASSERT_TRUE(health.ok()) << health.status().ToString();
  EXPECT_EQ(health->status, 200) << health->body;
  EXPECT_EQ(health->body, health_body) << daemon;
}

// How many times `needle` occurs in `text`.
size_t CountOf(const std::string& text, const std::string& needle) {
  size_t count = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
    ++count;
  }
  return count;
}

std::string Get(int port, const std::string& path) {
  Result<HttpReply> reply = HttpGet(Local(port), path);
  EXPECT_TRUE(reply.ok()) << path << ": " << reply.status().ToString();
  if (!reply.ok()) return "";
  EXPECT_EQ(reply->status, 200) << path;
  return reply->body;
}

// The mount's client-side view: RPCs it sent to masters and chunk servers, per method, with
// latency histograms, and the FUSE requests it handled.
void ExpectMountClientMetrics(const PromFamilies& metrics) {
  for (const char* method : {"create", "prepareWrite", "commitWrite", "getChunks"}) {
    SCOPED_TRACE(method);
    const std::map<std::string, std::string> labels{{"service", "MasterService"},
                                                    {"method", method}};
    EXPECT_GE(Value(metrics, "tessera_client_rpc_calls_total", labels), 1);
    EXPECT_GE(Sum(metrics, "tessera_client_rpc_duration_seconds_count",
                  "tessera_client_rpc_duration_seconds", labels),
              1);
  }
  EXPECT_GE(Value(metrics, "tessera_client_rpc_calls_total",
                  {{"service", "MasterService"}, {"method", "create"}}),
            kFiles);
  for (const char* method : {"writeChunk", "readChunk"}) {
    SCOPED_TRACE(method);
    const std::map<std::string, std::string> labels{{"service", "ChunkServerService"},
                                                    {"method", method}};
    EXPECT_GE(Value(metrics, "tessera_client_rpc_calls_total", labels), kFiles);
    // Every attempt lands in some bucket below +Inf's count: the histogram is filled.
    std::vector<PromSample> buckets =
        FindSamples(metrics, "tessera_client_rpc_duration_seconds", labels);
    double finite_buckets_max = 0;
    for (const PromSample& bucket : buckets) {
      if (bucket.name.ends_with("_bucket") && bucket.labels.at("le") != "+Inf") {
        finite_buckets_max = std::max(finite_buckets_max, bucket.value);
      }
    }
    EXPECT_GE(finite_buckets_max, kFiles) << "no attempt took under 30 s?";
  }
  // Not release: the kernel sends it after close() has returned, so it may still be on its way.
  for (const char* op : {"lookup", "create", "write", "flush", "open", "read"}) {
    SCOPED_TRACE(op);
    EXPECT_GE(Value(metrics, "tessera_fuse_ops_total", {{"op", op}}), 1);
    EXPECT_EQ(Sum(metrics, "tessera_fuse_op_duration_seconds_count",
                  "tessera_fuse_op_duration_seconds", {{"op", op}}),
              Value(metrics, "tessera_fuse_ops_total", {{"op", op}}));
  }
  EXPECT_GE(Value(metrics, "tessera_fuse_ops_total", {{"op", "write"}}), kFiles);
  EXPECT_EQ(FindSamples(metrics, "tessera_client_rpc_errors_total",
                        {{"service", "ChunkServerService"}})
                .size(),
            0u)
      << "no chunk server call failed";
}

// A follower's /status and page show the chunk servers the leader knows, and say so.
void ExpectFollowerShowsTheLeadersChunkServers(const TestCluster& cluster, int leader,
                                               int follower) {
  SCOPED_TRACE("follower master " + std::to_string(follower));
  const std::string leader_status = Get(cluster.master_admin_port(leader), "/status");
  const std::string follower_status = Get(cluster.master_admin_port(follower), "/status");
  const std::string alive = "\"state\":\"alive\"";
  EXPECT_GT(CountOf(leader_status, alive), 0u) << leader_status;
  EXPECT_EQ(CountOf(follower_status, alive), CountOf(leader_status, alive)) << follower_status;
  EXPECT_NE(leader_status.find("\"chunk_servers_source\":{\"from\":\"self\"}"),
            std::string::npos)
      << leader_status;
  const std::string leader_address = cluster.master_address(leader).ToString();
  EXPECT_NE(follower_status.find("\"chunk_servers_source\":{\"from\":\"leader\",\"leader_id\":" +
                                 std::to_string(cluster.master_id(leader)) +
                                 ",\"leader_address\":\"" + leader_address + "\""),
            std::string::npos)
      << follower_status;
  ExpectJsonObject(follower_status, "follower");

  const std::string leader_page = Get(cluster.master_admin_port(leader), "/");
  const std::string follower_page = Get(cluster.master_admin_port(follower), "/");
  EXPECT_NE(follower_page.find("Chunk servers as reported by the leader m" +
                               std::to_string(cluster.master_id(leader)) + " at " +
                               leader_address + ", "),
            std::string::npos)
      << follower_page;
  EXPECT_EQ(CountOf(follower_page, ">alive</span>"), CountOf(leader_page, ">alive</span>"));
  EXPECT_GT(CountOf(follower_page, ">alive</span>"), 0u);
}

class AdminPortTest : public ::testing::Test {
 protected:
  void StartCluster(int chunk_servers) {
    ClusterOptions options;
    options.masters = 3;
    options.chunk_servers = chunk_servers;
    options.admin_ports = true;
    Result<std::unique_ptr<TestCluster>> cluster = TestCluster::Start(options);
    ASSERT_TRUE(cluster.ok()) << cluster.status().ToString();
    cluster_ = std::move(*cluster);
    Result<std::string> mountpoint = cluster_->Mount();
    ASSERT_TRUE(mountpoint.ok()) << mountpoint.status().ToString() << cluster_->DescribeLogs();
    mountpoint_ = *mountpoint;
    Result<int> leader = cluster_->WaitForLeader(std::chrono::seconds(20));
    ASSERT_TRUE(leader.ok()) << leader.status().ToString();
    leader_ = *leader;
  }

  void TearDown() override {
    if (cluster_ && !mountpoint_.empty()) {
      EXPECT_TRUE(cluster_->Unmount(mountpoint_).ok());
    }
  }

  std::unique_ptr<TestCluster> cluster_;
  std::string mountpoint_;
  int leader_ = -1;
};

TEST_F(AdminPortTest, EveryDaemonServesParseableMetricsStatusAndHealth) {
  ASSERT_NO_FATAL_FAILURE(StartCluster(3));
  ASSERT_NO_FATAL_FAILURE(WriteAndReadFiles(mountpoint_));
  const double written = static_cast<double>(kFiles) * kFileBytes;
  // The leader knows a chunk server's space from its first heartbeat after registering, which
  // may come after the writes: wait for it rather than read a zero capacity.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  for (;;) {
    Result<PromFamilies> leader_metrics = Scrape(cluster_->master_admin_port(leader_));
    if (leader_metrics.ok() && Value(*leader_metrics, "tessera_cluster_capacity_bytes") > 0) break;
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "the leader never learned any space";
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }

  for (int i = 0; i < cluster_->master_count(); ++i) {
    SCOPED_TRACE("master " + std::to_string(i));
    const bool leader = i == leader_;
    Result<PromFamilies> metrics = Scrape(cluster_->master_admin_port(i));
    ASSERT_TRUE(metrics.ok()) << metrics.status().ToString();
    EXPECT_GE(Value(*metrics, "tessera_raft_term"), 1);
    EXPECT_GE(Value(*metrics, "tessera_raft_commit_index"), 1);
    EXPECT_GE(Value(*metrics, "tessera_raft_applied_index"), 1);
    EXPECT_EQ(Value(*metrics, "tessera_raft_voters"), 3);
    EXPECT_EQ(Value(*metrics, "tessera_raft_role", {{"role", leader ? "leader" : "follower"}}), 1);
    EXPECT_EQ(Sum(*metrics, "tessera_raft_role", "tessera_raft_role"), 1);
    EXPECT_GT(Value(*metrics, "tessera_uptime_seconds"), 0);
    // Every master applies the namespace: the files and their chunks are there.
    EXPECT_GE(Value(*metrics, "tessera_master_inodes"), 1 + kFiles);
    EXPECT_GE(Value(*metrics, "tessera_master_chunks"), kFiles);
    for (const char* name :
         {"tessera_replication_queue_length", "tessera_replication_copies_done_total",
          "tessera_chunks_missing", "tessera_chunks_under_goal", "tessera_gc_chunks_deleted_total",
          "tessera_write_leases_granted_total", "tessera_cluster_capacity_bytes",
          "tessera_raft_elections_started_total"}) {
      EXPECT_EQ(FindSamples(*metrics, name).size(), 1u) << name;
    }
    if (leader) {
      EXPECT_EQ(Value(*metrics, "tessera_master_chunk_servers", {{"state", "alive"}}), 3);
      EXPECT_EQ(Value(*metrics, "tessera_master_chunk_servers", {{"state", "dead"}}), 0);
      EXPECT_GE(Value(*metrics, "tessera_write_leases_granted_total"), kFiles);
      EXPECT_GT(Value(*metrics, "tessera_cluster_capacity_bytes"), 0);
      EXPECT_GE(Value(*metrics, "tessera_rpc_calls_total",
                      {{"service", "MasterService"}, {"method", "prepareWrite"}}),
                kFiles);
      EXPECT_GE(Sum(*metrics, "tessera_rpc_duration_seconds_count", "tessera_rpc_duration_seconds",
                    {{"method", "prepareWrite"}}),
                kFiles);
    }
    // Every master answers Raft messages and heartbeats: its RPC histogram has samples.
    EXPECT_GT(Sum(*metrics, "tessera_rpc_duration_seconds_count", "tessera_rpc_duration_seconds"),
              0);
    ExpectStatusAndHealth(cluster_->master_admin_port(i), "master",
                          leader ? "ok leader\n" : "ok follower\n");
  }

  for (int i = 0; i < cluster_->chunk_server_count(); ++i) {
    SCOPED_TRACE("chunk server " + std::to_string(i));
    Result<PromFamilies> metrics = Scrape(cluster_->chunk_server_admin_port(i));
    ASSERT_TRUE(metrics.ok()) << metrics.status().ToString();
    // Goal 3 on three servers: each holds every byte.
    EXPECT_GE(Value(*metrics, "tessera_chunkserver_bytes_written_total"), written);
    EXPECT_GE(Value(*metrics, "tessera_chunkserver_chunks"), kFiles);
    const std::string dir = cluster_->chunk_server_data_dir(i);
    const double total = Value(*metrics, "tessera_chunkserver_disk_total_bytes", {{"dir", dir}});
    const double free = Value(*metrics, "tessera_chunkserver_disk_free_bytes", {{"dir", dir}});
    EXPECT_GT(total, 0);
    EXPECT_GT(free, 0);
    EXPECT_LE(free, total);
    EXPECT_EQ(Value(*metrics, "tessera_chunkserver_data_dir_failed", {{"dir", dir}}), 0);
    EXPECT_EQ(Value(*metrics, "tessera_chunkserver_corrupt_chunks_found_total",
                    {{"found_by", "scrubber"}}),
              0);
    EXPECT_EQ(
        Value(*metrics, "tessera_chunkserver_corrupt_chunks_found_total", {{"found_by", "read"}}),
        0);
    EXPECT_GE(Value(*metrics, "tessera_rpc_calls_total",
                    {{"service", "ChunkServerService"}, {"method", "writeChunk"}}),
              kFiles);
    EXPECT_GT(Value(*metrics, "tessera_rpc_received_bytes_total",
                    {{"service", "ChunkServerService"}, {"method", "writeChunk"}}),
              written);
    EXPECT_EQ(FindSamples(*metrics, "tessera_chunkserver_replications_done_total").size(), 1u);
    ExpectStatusAndHealth(cluster_->chunk_server_admin_port(i), "chunkserver",
                          "ok 1 data dir(s) ok, 0 failed\n");
  }

  Result<int> mount_port = cluster_->mount_admin_port(mountpoint_);
  ASSERT_TRUE(mount_port.ok());
  Result<PromFamilies> mount_metrics = Scrape(*mount_port);
  ASSERT_TRUE(mount_metrics.ok()) << mount_metrics.status().ToString();
  EXPECT_GE(Value(*mount_metrics, "tessera_mount_bytes_written_total"), written);
  EXPECT_GE(Value(*mount_metrics, "tessera_mount_write_requests_total"), kFiles);
  EXPECT_EQ(Value(*mount_metrics, "tessera_mount_io_errors_total"), 0);
  EXPECT_EQ(FindSamples(*mount_metrics, "tessera_mount_bytes_read_total").size(), 1u);
  EXPECT_GE(Value(*mount_metrics, "tessera_mount_bytes_read_total"), written);
  ExpectMountClientMetrics(*mount_metrics);
  ExpectStatusAndHealth(*mount_port, "mount", "ok mounted\n");

  for (int i = 0; i < cluster_->master_count(); ++i) {
    if (i != leader_) ExpectFollowerShowsTheLeadersChunkServers(*cluster_, leader_, i);
  }

  // What a real daemon says to requests it does not serve.
  const HostPort leader_admin = Local(cluster_->master_admin_port(leader_));
  Result<HttpReply> missing = HttpGet(leader_admin, "/no-such-page");
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->status, 404);
  Result<HttpReply> post = HttpGet(leader_admin, "/metrics", "POST");
  ASSERT_TRUE(post.ok());
  EXPECT_EQ(post->status, 405);
}

// The path of chromium, or empty.
std::string FindChromium() {
  for (const char* candidate : {"/usr/bin/chromium", "/usr/bin/chromium-browser"}) {
    if (access(candidate, X_OK) == 0) return candidate;
  }
  return "";
}

// Loads http://ADMIN/ in headless Chromium and checks the screenshot it saves at `screenshot`:
// a 1280x900 PNG with far more in it than a blank page.
void ExpectScreenshot(const TestCluster& cluster, const std::string& chromium,
                      const HostPort& admin, const std::string& screenshot) {
  SCOPED_TRACE(screenshot);
  const std::string profile = cluster.root_dir() + "/chromium-profile";
  fs::create_directories(profile);
  fs::remove(screenshot);  // the last run's must not pass for this one's
  DaemonProcess browser(
      "chromium",
      {chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
       "--disable-background-networking", "--disable-component-update", "--disable-sync",
       "--hide-scrollbars", "--user-data-dir=" + profile, "--screenshot=" + screenshot,
       "--window-size=1280,900", "http://" + admin.ToString() + "/"},
      cluster.root_dir() + "/chromium-" + std::to_string(admin.port) + ".log");
  ASSERT_TRUE(browser.Start().ok());
  Result<int> exited = browser.WaitForExit(std::chrono::seconds(90));
  ASSERT_TRUE(exited.ok()) << "chromium did not finish:\n" << browser.LogTail();
  EXPECT_TRUE(WIFEXITED(*exited) && WEXITSTATUS(*exited) == 0)
      << DescribeWaitStatus(*exited) << "\n"
      << browser.LogTail();

  std::ifstream png(screenshot, std::ios::binary);
  ASSERT_TRUE(png.good()) << "no screenshot at " << screenshot << "\n" << browser.LogTail();
  std::string bytes((std::istreambuf_iterator<char>(png)), std::istreambuf_iterator<char>());
  ASSERT_GE(bytes.size(), 24u);
  EXPECT_EQ(bytes.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  auto be32 = [&bytes](size_t at) {
    return (static_cast<uint32_t>(static_cast<unsigned char>(bytes[at])) << 24) |
           (static_cast<uint32_t>(static_cast<unsigned char>(bytes[at + 1])) << 16) |
           (static_cast<uint32_t>(static_cast<unsigned char>(bytes[at + 2])) << 8) |
           static_cast<uint32_t>(static_cast<unsigned char>(bytes[at + 3]));
  };
  EXPECT_EQ(be32(16), 1280u);  // IHDR width
  EXPECT_EQ(be32(20), 900u);   // IHDR height
  // A blank 1280x900 page compresses to a few KiB; tables, bars and text take far more.
  EXPECT_GT(bytes.size(), 40'000u) << "the screenshot looks empty: " << screenshot;
  std::cout << "status page screenshot: " << screenshot << " (" << bytes.size() << " bytes)\n";
}

TEST_F(AdminPortTest, StatusPageScreenshotInHeadlessChromium) {
  const std::string chromium = FindChromium();
  ASSERT_FALSE(chromium.empty())
      << "chromium is not installed (apt-get install chromium): the status page test needs it";
  ASSERT_NO_FATAL_FAILURE(StartCluster(4));
  ASSERT_NO_FATAL_FAILURE(WriteAndReadFiles(mountpoint_));
  // A dead server makes the page show a red row and the re-replication it causes.
  ASSERT_TRUE(cluster_->chunk_server(3).Kill().ok());
  const HostPort leader_admin = Local(cluster_->master_admin_port(leader_));
  const auto give_up = steady_clock::now() + std::chrono::seconds(30);
  while (true) {
    Result<PromFamilies> metrics = Scrape(leader_admin.port);
    ASSERT_TRUE(metrics.ok()) << metrics.status().ToString();
    if (FindSamples(*metrics, "tessera_master_chunk_servers", {{"state", "dead"}}).at(0).value ==
        1) {
      break;
    }
    ASSERT_LT(steady_clock::now(), give_up) << "the leader never declared chunk server 3 dead";
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }

  Result<HttpReply> page = HttpGet(leader_admin, "/");
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_EQ(page->status, 200);
  EXPECT_EQ(page->content_type, "text/html; charset=utf-8");
  EXPECT_NE(page->body.find("Tessera cluster"), std::string::npos);
  EXPECT_NE(page->body.find(">dead</span>"), std::string::npos);
  EXPECT_NE(page->body.find("class=\"bar\""), std::string::npos);
  EXPECT_EQ(page->body.find("http://"), std::string::npos) << "the page must load nothing";
  EXPECT_EQ(page->body.find("<script"), std::string::npos);
  const int follower = (leader_ + 1) % cluster_->master_count();
  Result<HttpReply> follower_page = HttpGet(Local(cluster_->master_admin_port(follower)), "/");
  ASSERT_TRUE(follower_page.ok());
  EXPECT_EQ(follower_page->status, 200);
  EXPECT_NE(follower_page->body.find("The leader is master " + std::to_string(leader_ + 1)),
            std::string::npos)
      << follower_page->body;
  EXPECT_NE(follower_page->body.find(">dead</span>"), std::string::npos)
      << "the follower shows the server the leader declared dead";

  ExpectFollowerShowsTheLeadersChunkServers(*cluster_, leader_, follower);

  // Kept after the cluster's directory is removed, so that a person can look at them; each run
  // overwrites the last one's instead of leaving one pair per run behind.
  const std::string prefix = ::testing::TempDir() + "tessera-status-page-";
  ExpectScreenshot(*cluster_, chromium, leader_admin, prefix + "leader.png");
  ExpectScreenshot(*cluster_, chromium, Local(cluster_->master_admin_port(follower)),
                   prefix + "follower.png");
}

}  // namespace
}  // namespace tessera::testing
