// Drives tessera-mount's FUSE operations through a real kernel mount backed by an in-memory
// FileSystem, so that every reply path (entries, attrs, errno, directory offsets) is checked
// by ordinary system calls without a cluster. Needs /dev/fuse and the right to mount (root).
#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/fs.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <set>
#include <string>
#include <thread>

#include "common/clock.h"
#include "common/metrics.h"
#include "fuse/fuse_op_metrics.h"
#include "fuse/tessera_fuse.h"
#include "tests/unit/fuse/in_memory_file_system.h"

namespace tessera::fuse {
namespace {

std::string ReadWhole(const std::string& path) {
  std::string data;
  const int fd = open(path.c_str(), O_RDONLY);
  if (fd < 0) return "<open failed: " + std::to_string(errno) + ">";
  char buf[65536];
  ssize_t n;
  while ((n = read(fd, buf, sizeof(buf))) > 0) data.append(buf, static_cast<size_t>(n));
  close(fd);
  return data;
}

bool WriteWhole(const std::string& path, const std::string& data, int flags = O_CREAT | O_WRONLY) {
  const int fd = open(path.c_str(), flags, 0644);
  if (fd < 0) return false;
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = write(fd, data.data() + done, data.size() - done);
    if (n <= 0) {
      close(fd);
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return close(fd) == 0;
}

std::set<std::string> List(const std::string& path) {
  std::set<std::string> names;
  DIR* dir = opendir(path.c_str());
  if (dir == nullptr) return names;
  while (dirent* entry = readdir(dir)) names.insert(entry->d_name);
  closedir(dir);
  return names;
}

class MountTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Never skip: a suite that passes without exercising the mount proves nothing.
    ASSERT_EQ(access("/dev/fuse", R_OK | W_OK), 0) << "/dev/fuse is not available (need root and the fuse module)";
    char pattern[] = "/tmp/tessera-fuse-test-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    mountpoint_ = pattern;

    auto fs = std::make_unique<testing::InMemoryFileSystem>();
    fs_ = fs.get();
    // Zero timeouts: every check below must reach the operations, not the kernel's caches.
    tessera_ = std::make_unique<TesseraFuse>(MountOptions{0.0, 0.0});
    tessera_->AttachFileSystem(std::move(fs));
    tessera_->AttachOpMetrics(&op_metrics_);

    fuse_args args = FUSE_ARGS_INIT(0, nullptr);
    fuse_opt_add_arg(&args, "tessera-mount-test");
    fuse_opt_add_arg(&args, "-ofsname=tessera-test");
    session_ = fuse_session_new(&args, &TesseraFuse::Operations(), sizeof(fuse_lowlevel_ops),
                                tessera_.get());
    fuse_opt_free_args(&args);
    ASSERT_NE(session_, nullptr);
    ASSERT_EQ(fuse_session_mount(session_, mountpoint_.c_str()), 0)
        << "mounting needs root or fusermount3";
    mounted_ = true;
    loop_ = std::thread([this] {
      fuse_loop_config config{};
      config.clone_fd = 0;
      config.max_idle_threads = 4;
      fuse_session_loop_mt(session_, &config);
    });
  }

  void TearDown() override {
    if (mounted_) {
      // A lazy unmount aborts the connection once unused, which ends the loop's blocking read.
      fuse_session_exit(session_);
      umount2(mountpoint_.c_str(), MNT_DETACH);
      loop_.join();
      fuse_session_unmount(session_);
    }
    if (session_ != nullptr) fuse_session_destroy(session_);
    if (!mountpoint_.empty()) rmdir(mountpoint_.c_str());
  }

  std::string Path(const std::string& relative) const { return mountpoint_ + "/" + relative; }

  std::string mountpoint_;
  // Before tessera_, so that they outlive it.
  SystemClock clock_;
  MetricsRegistry metrics_;
  FuseOpMetrics op_metrics_{&metrics_, &clock_};
  testing::InMemoryFileSystem* fs_ = nullptr;  // owned by tessera_
  std::unique_ptr<TesseraFuse> tessera_;
  fuse_session* session_ = nullptr;
  bool mounted_ = false;
  std::thread loop_;
};

TEST_F(MountTest, WriteThenReadBackLargeFile) {
  std::string data(3 * (1 << 20) + 12345, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>((i * 7919) >> 3);
  ASSERT_TRUE(WriteWhole(Path("big"), data));
  struct stat st {};
  ASSERT_EQ(stat(Path("big").c_str(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
  EXPECT_EQ(st.st_size, static_cast<off_t>(data.size()));
  EXPECT_EQ(st.st_blksize, 1 << 20);
  EXPECT_EQ(ReadWhole(Path("big")), data);
  EXPECT_EQ(fs_->last_caller_uid(), getuid());
}

// The count of `op` in tessera_fuse_ops_total and of its duration histogram; -1 when absent.
std::pair<long, long> OpCounts(const std::string& text, const std::string& op) {
  auto value = [&text](const std::string& series) -> long {
    const size_t at = text.find(series + " ");
    if (at == std::string::npos) return -1;
    return std::stol(text.substr(at + series.size() + 1));
  };
  return {value("tessera_fuse_ops_total{op=\"" + op + "\"}"),
          value("tessera_fuse_op_duration_seconds_count{op=\"" + op + "\"}")};
}

TEST_F(MountTest, EveryOperationIsCountedAndTimed) {
  ASSERT_TRUE(WriteWhole(Path("counted"), std::string(100000, 'x')));
  // Drop the written pages, so that the read reaches the mount instead of the page cache.
  const int fd = open(Path("counted").c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED), 0);
  close(fd);
  EXPECT_EQ(ReadWhole(Path("counted")), std::string(100000, 'x'));
  ASSERT_EQ(mkdir(Path("dir").c_str(), 0755), 0);
  struct stat st {};
  ASSERT_EQ(stat(Path("counted").c_str(), &st), 0);
  // The kernel sends release after close() has returned: wait for the three opens' releases.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (OpCounts(metrics_.Render(), "release").first < 3) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "the releases never came";
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const std::string text = metrics_.Render();
  for (const char* op : {"lookup", "getattr", "create", "write", "flush", "release", "open",
                         "read", "mkdir"}) {
    SCOPED_TRACE(op);
    const auto [calls, timed] = OpCounts(text, op);
    EXPECT_GT(calls, 0) << text;
    EXPECT_EQ(calls, timed);
  }
  EXPECT_EQ(OpCounts(text, "rename").first, 0) << "nothing was renamed";
  EXPECT_NE(text.find("tessera_fuse_op_duration_seconds_bucket{op=\"write\",le=\"+Inf\"}"),
            std::string::npos);
}

TEST_F(MountTest, DirectoriesRenameAndRemove) {
  ASSERT_EQ(mkdir(Path("d").c_str(), 0750), 0);
  struct stat st {};
  ASSERT_EQ(stat(Path("d").c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  ASSERT_TRUE(WriteWhole(Path("d/a"), "alpha"));
  ASSERT_TRUE(WriteWhole(Path("d/b"), "beta"));
  EXPECT_EQ(List(Path("d")), (std::set<std::string>{".", "..", "a", "b"}));

  ASSERT_EQ(rename(Path("d/a").c_str(), Path("d/c").c_str()), 0);
  EXPECT_EQ(List(Path("d")), (std::set<std::string>{".", "..", "b", "c"}));
  EXPECT_EQ(ReadWhole(Path("d/c")), "alpha");

  // Rename flags reach the file system: RENAME_NOREPLACE moves to a free name only.
  EXPECT_EQ(syscall(SYS_renameat2, AT_FDCWD, Path("d/b").c_str(), AT_FDCWD, Path("d/x").c_str(),
                    RENAME_NOREPLACE),
            0);
  EXPECT_EQ(syscall(SYS_renameat2, AT_FDCWD, Path("d/x").c_str(), AT_FDCWD, Path("d/c").c_str(),
                    RENAME_NOREPLACE),
            -1);
  EXPECT_EQ(errno, EEXIST);
  ASSERT_EQ(rename(Path("d/x").c_str(), Path("d/b").c_str()), 0);

  EXPECT_EQ(rmdir(Path("d").c_str()), -1);
  EXPECT_EQ(errno, ENOTEMPTY);
  ASSERT_EQ(unlink(Path("d/b").c_str()), 0);
  ASSERT_EQ(unlink(Path("d/c").c_str()), 0);
  ASSERT_EQ(rmdir(Path("d").c_str()), 0);
  EXPECT_EQ(stat(Path("d").c_str(), &st), -1);
  EXPECT_EQ(errno, ENOENT);
}

TEST_F(MountTest, ErrorsReachProgramsAsErrno) {
  EXPECT_EQ(open(Path("missing").c_str(), O_RDONLY), -1);
  EXPECT_EQ(errno, ENOENT);
  ASSERT_TRUE(WriteWhole(Path("f"), "x"));
  EXPECT_EQ(open(Path("f").c_str(), O_CREAT | O_EXCL | O_WRONLY, 0644), -1);
  EXPECT_EQ(errno, EEXIST);
  EXPECT_EQ(mkdir(Path("f").c_str(), 0755), -1);
  EXPECT_EQ(errno, EEXIST);
  EXPECT_EQ(rmdir(Path("f").c_str()), -1);
  EXPECT_EQ(errno, ENOTDIR);
  EXPECT_EQ(mkdir(Path(std::string(256, 'n')).c_str(), 0755), -1);
  EXPECT_EQ(errno, ENAMETOOLONG);
}

TEST_F(MountTest, SetattrTruncateModeAndTimes) {
  ASSERT_TRUE(WriteWhole(Path("f"), "0123456789abcdef"));
  ASSERT_EQ(truncate(Path("f").c_str(), 10), 0);
  EXPECT_EQ(ReadWhole(Path("f")), "0123456789");

  const int fd = open(Path("f").c_str(), O_RDWR);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(write(fd, "ZZ", 2), 2);
  ASSERT_EQ(ftruncate(fd, 4), 0);
  ASSERT_EQ(close(fd), 0);
  EXPECT_EQ(ReadWhole(Path("f")), "ZZ23");

  ASSERT_EQ(chmod(Path("f").c_str(), 0600), 0);
  const struct timespec times[2] = {{1000, 5}, {2000, 7}};
  ASSERT_EQ(utimensat(AT_FDCWD, Path("f").c_str(), times, 0), 0);
  struct stat st {};
  ASSERT_EQ(stat(Path("f").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_EQ(st.st_mtim.tv_sec, 2000);
  EXPECT_EQ(st.st_mtim.tv_nsec, 7);
  EXPECT_EQ(st.st_atim.tv_sec, 1000);

  ASSERT_TRUE(WriteWhole(Path("f"), "new", O_WRONLY | O_TRUNC));
  EXPECT_EQ(ReadWhole(Path("f")), "new");
}

TEST_F(MountTest, Statfs) {
  struct statvfs st {};
  ASSERT_EQ(statvfs(mountpoint_.c_str(), &st), 0);
  EXPECT_EQ(st.f_bsize, 1u << 20);
  EXPECT_EQ(st.f_frsize, 1u << 20);
  EXPECT_EQ(st.f_blocks, 10240u);
  EXPECT_EQ(st.f_bavail, 4096u);
  EXPECT_EQ(st.f_namemax, 255u);
}

TEST_F(MountTest, LargeDirectoryListsEveryEntryOnce) {
  constexpr int kFiles = 2500;  // several master pages and several kernel readdir buffers
  for (int i = 0; i < kFiles; ++i) {
    ASSERT_TRUE(WriteWhole(Path("file-with-a-longish-name-" + std::to_string(i)), ""));
  }
  DIR* dir = opendir(mountpoint_.c_str());
  ASSERT_NE(dir, nullptr);
  std::set<std::string> names;
  int count = 0;
  while (dirent* entry = readdir(dir)) {
    names.insert(entry->d_name);
    ++count;
  }
  closedir(dir);
  EXPECT_EQ(count, kFiles + 2);
  EXPECT_EQ(names.size(), static_cast<size_t>(kFiles) + 2);
}

}  // namespace
}  // namespace tessera::fuse
