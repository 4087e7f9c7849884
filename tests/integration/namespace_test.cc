// Namespace operations end to end against a real master.
#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <thread>

#include "common/names.h"
#include "tests/integration/cluster_test_fixture.h"

namespace tessera::testing {
namespace {

using NamespaceTest = ClusterTest;

std::set<std::string> Names(const rpc::ReaddirReply& reply) {
  std::set<std::string> names;
  for (const rpc::DirEntry& entry : reply.entries) names.insert(entry.name);
  return names;
}

TEST_F(NamespaceTest, MkdirCreateLookupGetattr) {
  Result<rpc::Attr> dir = Mkdir(kRootInode, "docs", 0750);
  ASSERT_TRUE(dir.ok()) << dir.status().ToString();
  EXPECT_EQ(dir->type, rpc::FileType::DIRECTORY);
  EXPECT_EQ(dir->mode & 07777, 0750);
  EXPECT_GT(dir->inode, kRootInode);

  Result<rpc::Attr> file = Create(dir->inode, "a.txt", 0640);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  EXPECT_EQ(file->type, rpc::FileType::REGULAR);
  EXPECT_EQ(file->size, 0);
  EXPECT_NE(file->inode, dir->inode);

  Result<rpc::Attr> looked_up = Lookup(dir->inode, "a.txt");
  ASSERT_TRUE(looked_up.ok()) << looked_up.status().ToString();
  EXPECT_EQ(looked_up->inode, file->inode);

  Result<rpc::Attr> attr = GetAttr(file->inode);
  ASSERT_TRUE(attr.ok()) << attr.status().ToString();
  EXPECT_EQ(attr->mode & 07777, 0640);

  Result<rpc::Attr> root = GetAttr(kRootInode);
  ASSERT_TRUE(root.ok()) << root.status().ToString();
  EXPECT_EQ(root->type, rpc::FileType::DIRECTORY);
}

TEST_F(NamespaceTest, DuplicatesAndMissingNamesAreErrors) {
  ASSERT_TRUE(Mkdir(kRootInode, "d").ok());
  EXPECT_EQ(Mkdir(kRootInode, "d").status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(Create(kRootInode, "d").status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(Lookup(kRootInode, "nope").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(Unlink(kRootInode, "nope").code(), StatusCode::kNotFound);
  EXPECT_EQ(Rmdir(kRootInode, "nope").code(), StatusCode::kNotFound);
  EXPECT_EQ(GetAttr(1'000'000'000).status().code(), StatusCode::kNotFound);
}

TEST_F(NamespaceTest, ReaddirListsInNameOrderAndPages) {
  Result<rpc::Attr> dir = Mkdir(kRootInode, "many");
  ASSERT_TRUE(dir.ok()) << dir.status().ToString();
  std::set<std::string> created;
  for (int i = 0; i < 25; ++i) {
    std::string name = "f" + std::to_string(100 + i);
    ASSERT_TRUE(Create(dir->inode, name).ok()) << name;
    created.insert(name);
  }
  std::set<std::string> listed;
  std::string after;
  std::string previous;
  for (int pages = 0; pages < 100; ++pages) {
    Result<rpc::ReaddirReply> page = Readdir(dir->inode, after, 7);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    EXPECT_LE(page->entries.size(), 7u);
    for (const rpc::DirEntry& entry : page->entries) {
      EXPECT_GT(entry.name, previous) << "entries must come in byte order of their names";
      previous = entry.name;
      listed.insert(entry.name);
    }
    if (page->eof) break;
    ASSERT_FALSE(page->entries.empty()) << "a page that is not the last must not be empty";
    after = page->entries.back().name;
  }
  EXPECT_EQ(listed, created);
}

TEST_F(NamespaceTest, RenameMovesAcrossDirectories) {
  Result<rpc::Attr> a = Mkdir(kRootInode, "a");
  Result<rpc::Attr> b = Mkdir(kRootInode, "b");
  ASSERT_TRUE(a.ok() && b.ok());
  Result<rpc::Attr> file = Create(a->inode, "x");
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  ASSERT_TRUE(Rename(a->inode, "x", b->inode, "y").ok());
  EXPECT_EQ(Lookup(a->inode, "x").status().code(), StatusCode::kNotFound);
  Result<rpc::Attr> moved = Lookup(b->inode, "y");
  ASSERT_TRUE(moved.ok()) << moved.status().ToString();
  EXPECT_EQ(moved->inode, file->inode);
  // Renaming a directory into itself would detach it from the tree.
  EXPECT_FALSE(Rename(kRootInode, "a", a->inode, "inside").ok());
  EXPECT_EQ(Rename(kRootInode, "missing", kRootInode, "z").code(), StatusCode::kNotFound);
}

TEST_F(NamespaceTest, UnlinkAndRmdir) {
  Result<rpc::Attr> dir = Mkdir(kRootInode, "d");
  ASSERT_TRUE(dir.ok());
  ASSERT_TRUE(Create(dir->inode, "f").ok());
  EXPECT_EQ(Rmdir(kRootInode, "d").code(), StatusCode::kNotEmpty);
  EXPECT_EQ(Unlink(kRootInode, "d").code(), StatusCode::kIsDirectory);
  EXPECT_EQ(Rmdir(dir->inode, "f").code(), StatusCode::kNotDirectory);
  ASSERT_TRUE(Unlink(dir->inode, "f").ok());
  ASSERT_TRUE(Rmdir(kRootInode, "d").ok());
  Result<rpc::ReaddirReply> root = Readdir(kRootInode);
  ASSERT_TRUE(root.ok()) << root.status().ToString();
  EXPECT_EQ(Names(*root).count("d"), 0u);
}

TEST_F(NamespaceTest, StatfsAndClusterStatusReportTheCluster) {
  // Space comes with the chunk servers' heartbeats, which may not have arrived yet.
  Result<rpc::StatfsReply> statfs = Status::Unavailable("not asked");
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  do {
    statfs = CallFor<rpc::StatfsReply>(
        master(), master_address(),
        [&](auto& c, rpc::StatfsReply& out) { c.statfs(out, cluster_->NextContext()); });
    ASSERT_TRUE(statfs.ok()) << statfs.status().ToString();
    if (statfs->total_bytes > 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  } while (std::chrono::steady_clock::now() < deadline);
  EXPECT_GT(statfs->total_bytes, 0);
  EXPECT_GE(statfs->total_bytes, statfs->free_bytes);
  Result<rpc::ClusterStatus> status = cluster_->QueryClusterStatus();
  ASSERT_TRUE(status.ok()) << status.status().ToString();
  EXPECT_EQ(status->chunk_servers.size(), 3u);
  ASSERT_FALSE(status->masters.empty());
  EXPECT_EQ(status->masters[0].role, "leader");
}

}  // namespace
}  // namespace tessera::testing
