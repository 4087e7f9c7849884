#include "fuse/dir_snapshot.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <string>

namespace tessera::fuse {
namespace {

// A FileSystem with one directory (inode 1) holding `names`; only ReadDir does anything.
class FakeDirFileSystem : public client::FileSystem {
 public:
  std::map<std::string, int64_t> names;
  int readdir_calls = 0;
  Status readdir_error;  // returned by every ReadDir when not ok
  bool stuck = false;    // answers every page with the first entry and eof = false
  uint64_t mutations = 0;

  uint64_t LocalMutationCount() const override { return mutations; }
  bool HasUncommittedWrites(int64_t) const override { return false; }

  Result<rpc::ReaddirReply> ReadDir(const client::Caller&, int64_t inode,
                                    std::string_view after_name, int max_entries,
                                    client::DirListing) override {

    ++readdir_calls;
    if (!readdir_error.ok()) return readdir_error;
    if (inode != 1) return Status::NotFound("no such directory");
    rpc::ReaddirReply reply;
    reply.eof = false;
    auto it = stuck ? names.begin() : names.upper_bound(std::string(after_name));
    for (; it != names.end() && static_cast<int>(reply.entries.size()) < max_entries; ++it) {
      rpc::DirEntry entry;
      entry.name = it->first;
      entry.inode = it->second;
      entry.type = rpc::FileType::REGULAR;
      reply.entries.push_back(entry);
    }
    if (!stuck) reply.eof = it == names.end();
    return reply;
  }

  Result<rpc::Attr> Lookup(const client::Caller&, int64_t, std::string_view) override {
    return Unused();
  }
  Result<rpc::Attr> GetAttr(const client::Caller&, int64_t) override { return Unused(); }
  Status SetXattr(const client::Caller&, int64_t, std::string_view, std::string_view,
                  int32_t) override {
    return Unused();
  }
  Result<std::string> GetXattr(const client::Caller&, int64_t, std::string_view) override {
    return Unused();
  }
  Result<std::vector<std::string>> ListXattrs(const client::Caller&, int64_t) override {
    return Unused();
  }
  Status RemoveXattr(const client::Caller&, int64_t, std::string_view) override { return Unused(); }
  Result<rpc::Attr> TouchAtime(const client::Caller&, int64_t) override { return Unused(); }
  Result<rpc::Attr> SetAttr(const client::Caller&, int64_t, const rpc::SetAttrRequest&) override {
    return Unused();
  }
  Result<rpc::Attr> Mkdir(const client::Caller&, int64_t, std::string_view, uint32_t) override {
    return Unused();
  }
  Result<rpc::Attr> Create(const client::Caller&, int64_t, std::string_view, uint32_t) override {
    return Unused();
  }
  Status Unlink(const client::Caller&, int64_t, std::string_view) override { return Unused(); }
  Status Rmdir(const client::Caller&, int64_t, std::string_view) override { return Unused(); }
  Status Rename(const client::Caller&, int64_t, std::string_view, int64_t, std::string_view,
                uint32_t) override {
    return Unused();
  }
  Result<rpc::StatfsReply> Statfs(const client::Caller&) override { return Unused(); }
  Result<rpc::Attr> Link(const client::Caller&, int64_t, int64_t, std::string_view) override {
    return Unused();
  }
  Result<rpc::Attr> Symlink(const client::Caller&, int64_t, std::string_view,
                            std::string_view) override {
    return Unused();
  }
  Result<rpc::Attr> Mknod(const client::Caller&, int64_t, std::string_view, rpc::FileType::type,
                          uint32_t) override {
    return Unused();
  }
  Status SyncMetadata(const client::Caller&) override { return Unused(); }
  Result<rpc::Attr> Access(const client::Caller&, int64_t, int32_t) override { return Unused(); }
  Result<rpc::ClusterStatus> ClusterStatus() override { return Unused(); }
  Result<std::unique_ptr<client::OpenFile>> Open(const client::Caller&, int64_t, bool) override {
    return Unused();
  }

 private:
  static Status Unused() { return Status::Internal("not used by this test"); }
};

TEST(DirSnapshotTest, EmptyDirectoryHasDotEntries) {
  FakeDirFileSystem fs;
  Result<std::unique_ptr<DirSnapshot>> snapshot =
      DirSnapshot::Load(fs, {}, 1, client::DirListing::kNamesOnly, 0);
  ASSERT_TRUE(snapshot.ok()) << snapshot.status().ToString();
  const auto& entries = (*snapshot)->entries();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].name, ".");
  EXPECT_EQ(entries[1].name, "..");
  EXPECT_EQ(entries[0].inode, 1);
}

TEST(DirSnapshotTest, FetchesEveryPageInOrder) {
  FakeDirFileSystem fs;
  const int count = DirSnapshot::kPageSize * 2 + 17;
  for (int i = 0; i < count; ++i) {
    char name[16];
    std::snprintf(name, sizeof(name), "f%06d", i);
    fs.names[name] = 100 + i;
  }
  Result<std::unique_ptr<DirSnapshot>> snapshot =
      DirSnapshot::Load(fs, {}, 1, client::DirListing::kNamesOnly, 0);
  ASSERT_TRUE(snapshot.ok()) << snapshot.status().ToString();
  const auto& entries = (*snapshot)->entries();
  ASSERT_EQ(entries.size(), static_cast<size_t>(count) + 2);
  EXPECT_EQ(fs.readdir_calls, 3);
  for (int i = 0; i < count; ++i) {
    EXPECT_EQ(entries[static_cast<size_t>(i) + 2].inode, 100 + i);
  }
}

TEST(DirSnapshotTest, ErrorFromMasterIsReturned) {
  FakeDirFileSystem fs;
  fs.readdir_error = Status::Unavailable("no leader");
  Result<std::unique_ptr<DirSnapshot>> snapshot =
      DirSnapshot::Load(fs, {}, 1, client::DirListing::kNamesOnly, 0);
  ASSERT_FALSE(snapshot.ok());
  EXPECT_EQ(snapshot.status().code(), StatusCode::kUnavailable);

  FakeDirFileSystem missing;
  EXPECT_EQ(DirSnapshot::Load(missing, {}, 5, client::DirListing::kNamesOnly, 0).status().code(),
            StatusCode::kNotFound);
}

TEST(DirSnapshotTest, PagesThatDoNotAdvanceAreAnErrorNotALoop) {
  FakeDirFileSystem fs;
  fs.names["a"] = 2;
  fs.stuck = true;
  Result<std::unique_ptr<DirSnapshot>> snapshot =
      DirSnapshot::Load(fs, {}, 1, client::DirListing::kNamesOnly, 0);
  ASSERT_FALSE(snapshot.ok());
  EXPECT_EQ(snapshot.status().code(), StatusCode::kInternal);
  EXPECT_LE(fs.readdir_calls, 2);
}

}  // namespace
}  // namespace tessera::fuse
