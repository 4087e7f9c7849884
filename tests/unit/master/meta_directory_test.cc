#include "master/meta_directory.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "master_test_util.h"

namespace tessera::master::testing {
namespace {

namespace fs = std::filesystem;

void WriteFile(const fs::path& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

class MetaDirectoryTest : public ::testing::Test {
 protected:
  MetaDirectory MustOpen() {
    Result<MetaDirectory> directory = MetaDirectory::Open(data_);
    EXPECT_TRUE(directory.ok()) << directory.status().ToString();
    return std::move(directory).value();
  }
  StatusCode OpenCode() { return MetaDirectory::Open(data_).status().code(); }

  TempDir dir_;
  fs::path data_ = fs::path(dir_.path()) / "data";
};

TEST_F(MetaDirectoryTest, FreshDataDirStartsAtGenerationZero) {
  MetaDirectory directory = MustOpen();
  EXPECT_EQ(directory.live_generation(), 0u);
  EXPECT_EQ(directory.LivePath(), (data_ / "meta.0").string());
  EXPECT_TRUE(fs::is_directory(directory.LivePath()));
  EXPECT_EQ(ReadFile(data_ / "META_CURRENT"), "meta.0\n");
  EXPECT_EQ(MustOpen().LivePath(), directory.LivePath());
}

TEST_F(MetaDirectoryTest, InstallMakesANewGenerationLive) {
  MetaDirectory directory = MustOpen();
  Result<std::string> first = directory.NewGenerationPath();
  Result<std::string> second = directory.NewGenerationPath();
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_NE(*first, *second);
  EXPECT_TRUE(fs::is_directory(*first) && fs::is_empty(*first));
  WriteFile(fs::path(*second) / "CURRENT", "db");

  ASSERT_TRUE(directory.Install(*second).ok());
  EXPECT_EQ(directory.LivePath(), *second);
  EXPECT_EQ(ReadFile(data_ / "META_CURRENT"), "meta.2\n");
  // The previous generation stays until RemoveStale: its database may still be open.
  EXPECT_TRUE(fs::exists(data_ / "meta.0"));
  ASSERT_TRUE(directory.RemoveStale().ok());
  EXPECT_FALSE(fs::exists(data_ / "meta.0"));
  EXPECT_FALSE(fs::exists(*first));
  EXPECT_EQ(ReadFile(fs::path(*second) / "CURRENT"), "db");

  MetaDirectory reopened = MustOpen();
  EXPECT_EQ(reopened.LivePath(), *second);
  Result<std::string> third = reopened.NewGenerationPath();
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(*third, (data_ / "meta.3").string());
}

TEST_F(MetaDirectoryTest, InstallRefusesWhatIsNotAnOtherGeneration) {
  MetaDirectory directory = MustOpen();
  fs::path elsewhere = fs::path(dir_.path()) / "meta.5";
  fs::create_directories(elsewhere);
  EXPECT_EQ(directory.Install(elsewhere.string()).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(directory.Install(directory.LivePath()).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(directory.Install((data_ / "meta.9").string()).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(directory.Install((data_ / "other").string()).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(directory.LivePath(), (data_ / "meta.0").string());
}

TEST_F(MetaDirectoryTest, OlderPlainMetaDirectoryBecomesGenerationZero) {
  fs::create_directories(data_ / "meta");
  WriteFile(data_ / "meta" / "CURRENT", "old database");
  MetaDirectory directory = MustOpen();
  EXPECT_EQ(directory.LivePath(), (data_ / "meta.0").string());
  EXPECT_EQ(ReadFile(data_ / "meta.0" / "CURRENT"), "old database");
  EXPECT_FALSE(fs::exists(data_ / "meta"));
}

TEST_F(MetaDirectoryTest, CrashDuringMigrationFinishesOnReopen) {
  // Renamed, but the pointer was not written yet.
  fs::create_directories(data_ / "meta.0");
  WriteFile(data_ / "meta.0" / "CURRENT", "old database");
  MetaDirectory directory = MustOpen();
  EXPECT_EQ(directory.LivePath(), (data_ / "meta.0").string());
  EXPECT_EQ(ReadFile(data_ / "meta.0" / "CURRENT"), "old database");
  EXPECT_EQ(ReadFile(data_ / "META_CURRENT"), "meta.0\n");
}

TEST_F(MetaDirectoryTest, CrashBeforeThePointerMovedKeepsTheOldGeneration) {
  MetaDirectory directory = MustOpen();
  Result<std::string> next = directory.NewGenerationPath();
  ASSERT_TRUE(next.ok());
  WriteFile(fs::path(*next) / "CURRENT", "half built");
  WriteFile(data_ / "META_CURRENT.tmp", "meta.1\n");  // written, not renamed yet

  MetaDirectory reopened = MustOpen();
  EXPECT_EQ(reopened.LivePath(), (data_ / "meta.0").string());
  EXPECT_FALSE(fs::exists(*next));
  EXPECT_FALSE(fs::exists(data_ / "META_CURRENT.tmp"));
}

TEST_F(MetaDirectoryTest, CrashAfterThePointerMovedKeepsTheNewGeneration) {
  MetaDirectory directory = MustOpen();
  Result<std::string> next = directory.NewGenerationPath();
  ASSERT_TRUE(next.ok());
  ASSERT_TRUE(directory.Install(*next).ok());
  // RemoveStale never ran: meta.0 is still there.
  MetaDirectory reopened = MustOpen();
  EXPECT_EQ(reopened.LivePath(), *next);
  EXPECT_FALSE(fs::exists(data_ / "meta.0"));
}

TEST_F(MetaDirectoryTest, DamagedPointerIsCorruption) {
  MustOpen();
  for (const std::string& content :
       {std::string("garbage"), std::string(""), std::string("meta.0"), std::string("meta.00\n"),
        std::string("meta.-1\n"), std::string("meta.0\nmeta.1\n"), std::string(4096, 'm')}) {
    WriteFile(data_ / "META_CURRENT", content);
    EXPECT_EQ(OpenCode(), StatusCode::kCorruption) << "pointer '" << content << "'";
  }
  WriteFile(data_ / "META_CURRENT", "meta.7\n");  // a generation that does not exist
  EXPECT_EQ(OpenCode(), StatusCode::kCorruption);
  EXPECT_TRUE(fs::exists(data_ / "meta.0")) << "a damaged pointer must not lead to deletions";
}

TEST_F(MetaDirectoryTest, PlainMetaNextToGenerationZeroIsCorruption) {
  fs::create_directories(data_ / "meta");
  fs::create_directories(data_ / "meta.0");
  EXPECT_EQ(OpenCode(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace tessera::master::testing
