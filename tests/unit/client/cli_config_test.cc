#include "client/cli/cli_config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace tessera::client::cli {
namespace {

class CliConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        std::filesystem::temp_directory_path() / ("tessera-cli-config-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& text) {
    const std::string path = (dir_ / name).string();
    std::ofstream(path) << text;
    return path;
  }

  std::filesystem::path dir_;
};

TEST_F(CliConfigTest, ParsesMastersAndTimeoutWithCommentsAndBlanks) {
  Result<CliConfig> config = ParseCliConfig(
      "# the cluster\n\n  masters = 10.0.0.1:9400,10.0.0.2:9400  \ntimeout-ms=2500\n", "f");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  ASSERT_EQ(config->masters.size(), 2u);
  EXPECT_EQ(config->masters[1].ToString(), "10.0.0.2:9400");
  EXPECT_EQ(config->timeout_ms, 2500);
}

TEST_F(CliConfigTest, ErrorsNameTheFileAndLine) {
  struct Case {
    std::string text;
    std::string says;
  };
  const Case cases[] = {
      {"masters\n", "f:1: expected 'key = value'"},
      {"\nmasters = nohostport\n", "f:2: invalid masters"},
      {"masters = a:1\nmasters = b:2\n", "f:2: 'masters' is set twice"},
      {"master = a:1\n", "f:1: unknown key 'master'"},
      {"timeout-ms = 0\n", "f:1: timeout-ms must be 1..3600000"},
      {"timeout-ms = 12x\n", "timeout-ms must be"},
      {"masters = a:1,,b:2\n", "invalid masters"},
  };
  for (const Case& c : cases) {
    Result<CliConfig> config = ParseCliConfig(c.text, "f");
    ASSERT_FALSE(config.ok()) << c.text;
    EXPECT_EQ(config.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(config.status().message().find(c.says), std::string::npos)
        << c.text << " -> " << config.status().message();
  }
}

TEST_F(CliConfigTest, FlagBeatsEnvBeatsConfigFile) {
  const std::string file = Write("c.conf", "masters = 10.0.0.3:9400\ntimeout-ms = 700\n");
  MasterSources sources;
  sources.default_config = (dir_ / "absent.conf").string();
  sources.config_flag = file;
  Result<ResolvedMasters> from_file = ResolveMasters(sources);
  ASSERT_TRUE(from_file.ok()) << from_file.status().ToString();
  EXPECT_EQ(from_file->masters.at(0).ToString(), "10.0.0.3:9400");
  EXPECT_EQ(from_file->source, "config file " + file);
  EXPECT_EQ(from_file->timeout_ms, 700);

  sources.env = "10.0.0.2:9400";
  Result<ResolvedMasters> from_env = ResolveMasters(sources);
  ASSERT_TRUE(from_env.ok());
  EXPECT_EQ(from_env->masters.at(0).ToString(), "10.0.0.2:9400");
  EXPECT_EQ(from_env->source, "TESSERA_MASTERS");

  sources.flag = "10.0.0.1:9400";
  Result<ResolvedMasters> from_flag = ResolveMasters(sources);
  ASSERT_TRUE(from_flag.ok());
  EXPECT_EQ(from_flag->masters.at(0).ToString(), "10.0.0.1:9400");
  EXPECT_EQ(from_flag->timeout_ms, 700) << "the file's timeout still applies";
}

TEST_F(CliConfigTest, DefaultFileIsOptionalButANamedOneMustExist) {
  MasterSources sources;
  sources.default_config = (dir_ / "absent.conf").string();
  Result<ResolvedMasters> none = ResolveMasters(sources);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->masters.empty());

  sources.default_config = Write("default.conf", "masters = 10.0.0.9:9400\n");
  Result<ResolvedMasters> from_default = ResolveMasters(sources);
  ASSERT_TRUE(from_default.ok());
  EXPECT_EQ(from_default->masters.at(0).ToString(), "10.0.0.9:9400");

  sources.config_env = (dir_ / "missing.conf").string();
  Result<ResolvedMasters> missing = ResolveMasters(sources);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("missing.conf does not exist"), std::string::npos);
}

TEST_F(CliConfigTest, BadEnvOrFlagIsAnError) {
  MasterSources sources;
  sources.default_config = (dir_ / "absent.conf").string();
  sources.env = "host-without-port";
  Result<ResolvedMasters> bad_env = ResolveMasters(sources);
  ASSERT_FALSE(bad_env.ok());
  EXPECT_NE(bad_env.status().message().find("TESSERA_MASTERS"), std::string::npos);
  sources.flag = "x:99999";
  Result<ResolvedMasters> bad_flag = ResolveMasters(sources);
  ASSERT_FALSE(bad_flag.ok());
  EXPECT_NE(bad_flag.status().message().find("--masters"), std::string::npos);
}

}  // namespace
}  // namespace tessera::client::cli
