// The client data path (Thrift ChunkConnection, chain writes, replica fall-back, readahead)
// against two real tessera-chunkserver processes on 127.0.0.1, with the in-memory FakeMaster.
// The binary is the one built in this tree (TESSERA_CHUNKSERVER_BIN, a compile definition); the
// environment variable of the same name overrides it.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "client/chunk_connection.h"
#include "client/file_system_impl.h"
#include "common/clock.h"
#include "tests/unit/client/fakes.h"

extern char** environ;

namespace tessera::client {
namespace {

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

class ChunkServerProcess {
 public:
  ChunkServerProcess(const std::string& binary, const std::filesystem::path& dir, int port)
      : log_(dir / "log") {
    std::filesystem::create_directories(dir / "data");
    std::string listen = "127.0.0.1:" + std::to_string(port);
    std::string data = (dir / "data").string();
    std::vector<std::string> args = {binary,        "--listen",   listen, "--masters",
                                     "127.0.0.1:1", "--data-dir", data};
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 2, log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn(&pid_, binary.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
  }
  ~ChunkServerProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
  }
  bool WaitReady() {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
      std::ifstream in(log_);
      std::stringstream text;
      text << in.rdbuf();
      if (text.str().find("ready") != std::string::npos) return true;
      if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
        pid_ = -1;
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));  // polling, with a deadline
    }
    return false;
  }

 private:
  std::filesystem::path log_;
  pid_t pid_ = -1;
};

TEST(RealChunkServerTest, WriteReadFallBackAndMoreThanOneGiBOverOneConnection) {
  const char* binary = std::getenv("TESSERA_CHUNKSERVER_BIN");
  if (binary == nullptr || *binary == '\0') binary = TESSERA_CHUNKSERVER_BIN;
  ASSERT_EQ(access(binary, X_OK), 0) << "chunk server binary not found: " << binary;
  char dir_template[] = "/tmp/tessera-client-test-XXXXXX";
  std::filesystem::path dir = mkdtemp(dir_template);
  const int port_a = FreePort();
  const int port_b = FreePort();
  std::optional<ChunkServerProcess> a(std::in_place, binary, dir / "a", port_a);
  ChunkServerProcess b(binary, dir / "b", port_b);
  ASSERT_TRUE(a->WaitReady());
  ASSERT_TRUE(b.WaitReady());

  ClientOptions options;
  options.masters = {{"127.0.0.1", 1}};
  options.readahead_bytes = 4 << 20;
  auto master = std::make_unique<testing::FakeMaster>(
      std::vector<rpc::ChunkServerAddress>{testing::Server(1, port_a), testing::Server(2, port_b)});
  SystemClock clock;
  RpcClientOptions rpc_options;
  FileSystemImpl fs(options, std::move(master), NewThriftChunkConnection(rpc_options), clock);
  Caller caller;
  Result<rpc::Attr> attr = fs.Create(caller, 1, "f", 0644);
  ASSERT_TRUE(attr.ok());

  const size_t size = 8 << 20;
  std::string data(size, '\0');
  for (size_t i = 0; i < size; ++i) data[i] = static_cast<char>((i * 2654435761u) >> 13);
  {
    auto file = fs.Open(caller, attr->inode, true);
    ASSERT_TRUE(file.ok());
    ASSERT_TRUE((*file)->Write(0, std::as_bytes(std::span(data))).ok());
    Status synced = (*file)->Fsync();
    ASSERT_TRUE(synced.ok()) << synced.ToString();
  }
  auto reader = fs.Open(caller, attr->inode, false);
  ASSERT_TRUE(reader.ok());
  std::string back(size, '\0');
  // 140 x 8 MiB = 1.1 GiB read over the pooled connection(s) to one server.
  for (int round = 0; round < 140; ++round) {
    Result<size_t> n = (*reader)->Read(0, std::as_writable_bytes(std::span(back)));
    ASSERT_TRUE(n.ok()) << "round " << round << ": " << n.status().ToString();
    ASSERT_EQ(*n, size);
    if (round == 0 || round == 139) {
      ASSERT_TRUE(back == data);
    }
  }
  a.reset();  // the first replica goes away: reads fall back to the second
  std::fill(back.begin(), back.end(), '\0');
  Result<size_t> n = (*reader)->Read(0, std::as_writable_bytes(std::span(back)));
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_TRUE(back == data);
  reader->reset();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace tessera::client
