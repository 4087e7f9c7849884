#include "tests/fault/chunk_cli_status.h"

#include <sys/wait.h>

#include <boost/property_tree/json_parser.hpp>
#include <boost/property_tree/ptree.hpp>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "tests/integration/daemon_process.h"

namespace tessera::fault {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

constexpr milliseconds kCliDeadline = std::chrono::seconds(20);
constexpr milliseconds kPollInterval(200);

std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

Result<CliStatus> ParseStatusJson(const std::string& output) {
  // The JSON document is the one line that starts with '{'; warnings may precede it.
  std::istringstream lines(output);
  std::string line;
  while (std::getline(lines, line) && (line.empty() || line[0] != '{')) {
  }
  if (line.empty() || line[0] != '{') return Status::Internal("no JSON in: " + output);
  boost::property_tree::ptree tree;
  try {
    std::istringstream json(line);
    boost::property_tree::read_json(json, tree);
    CliStatus status;
    status.chunk_count = tree.get<int64_t>("chunk_count");
    for (const auto& [unused_key, server] : tree.get_child("chunk_servers")) {
      CliChunkServer line_of;
      line_of.address = server.get<std::string>("address");
      line_of.alive = server.get<std::string>("alive") == "true";
      line_of.chunks = server.get<int64_t>("chunks");
      line_of.data_dirs_ok = server.get<int64_t>("data_dirs_ok");
      line_of.data_dirs_failed = server.get<int64_t>("data_dirs_failed");
      status.chunk_servers.push_back(std::move(line_of));
    }
    return status;
  } catch (const boost::property_tree::ptree_error& e) {
    return Status::Internal(std::string("cannot parse the status JSON: ") + e.what() + ": " + line);
  }
}

std::string Describe(const CliStatus& status) {
  std::string text = "chunk_count " + std::to_string(status.chunk_count) + ";";
  for (const CliChunkServer& server : status.chunk_servers) {
    text += " " + server.address + (server.alive ? " alive " : " dead ") +
            std::to_string(server.chunks) + " chunks;";
  }
  return text;
}

}  // namespace

Result<CliStatus> RunCliStatus(testing::TestCluster& cluster) {
  const std::string output = cluster.root_dir() + "/cli-status.out";
  std::filesystem::remove(output);
  testing::DaemonProcess cli(
      "tessera-status",
      {testing::BinaryDir() + "/tessera", "--masters", cluster.MasterList(), "status", "--json"},
      output);
  RETURN_IF_ERROR(cli.Start());
  ASSIGN_OR_RETURN(int wait_status, cli.WaitForExit(kCliDeadline));
  if (!WIFEXITED(wait_status) || WEXITSTATUS(wait_status) != 0) {
    return Status::Internal("tessera status " + testing::DescribeWaitStatus(wait_status) + ": " +
                            ReadWholeFile(output));
  }
  return ParseStatusJson(ReadWholeFile(output));
}

Status WaitForCliStatus(testing::TestCluster& cluster, int64_t chunk_count, int64_t replicas,
                        milliseconds deadline) {
  std::set<std::string> running;
  for (int i = 0; i < cluster.chunk_server_count(); ++i) {
    if (cluster.chunk_server(i).Running()) {
      running.insert(cluster.chunk_server_address(i).ToString());
    }
  }
  const auto give_up = steady_clock::now() + deadline;
  std::string last = "not asked yet";
  while (steady_clock::now() < give_up) {
    Result<CliStatus> status = RunCliStatus(cluster);
    if (status.ok()) {
      std::set<std::string> alive;
      int64_t reported = 0;
      for (const CliChunkServer& server : status->chunk_servers) {
        if (!server.alive) continue;
        alive.insert(server.address);
        reported += server.chunks;
      }
      if (alive == running && status->chunk_count == chunk_count && reported == replicas) {
        return Status::Ok();
      }
      last = Describe(*status);
    } else {
      last = status.status().ToString();
    }
    std::this_thread::sleep_for(kPollInterval);
  }
  return Status::Unavailable(
      "tessera status --json never showed the " + std::to_string(running.size()) +
      " running chunk servers alive with " + std::to_string(replicas) + " chunks in all and " +
      std::to_string(chunk_count) + " chunks in the namespace; last: " + last);
}

}  // namespace tessera::fault
