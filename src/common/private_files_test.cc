#include "common/private_files.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

namespace novacron {
namespace {

mode_t ModeOf(const std::filesystem::path& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

class PrivateFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/novacron-private-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(PrivateFilesTest, DirIsCreatedAndNarrowed) {
  std::filesystem::path data = dir_ / "a" / "data";
  ASSERT_TRUE(EnsurePrivateDir(data).ok());
  EXPECT_EQ(ModeOf(data), 0700u);
  ::chmod(data.c_str(), 0755);
  ASSERT_TRUE(EnsurePrivateDir(data).ok());
  EXPECT_EQ(ModeOf(data), 0700u);
  ASSERT_TRUE(EnsurePrivateDir(data, 0711).ok());
  EXPECT_EQ(ModeOf(data), 0711u);
}

TEST_F(PrivateFilesTest, FileIsCreated0600AndNarrowedKeepingContent) {
  std::filesystem::path file = dir_ / "state.db";
  ASSERT_TRUE(EnsurePrivateFile(file).ok());
  EXPECT_EQ(ModeOf(file), 0600u);
  { std::ofstream(file) << "keep"; }
  ::chmod(file.c_str(), 0644);
  ASSERT_TRUE(EnsurePrivateFile(file).ok());
  EXPECT_EQ(ModeOf(file), 0600u);
  std::ifstream in(file);
  std::string content;
  in >> content;
  EXPECT_EQ(content, "keep");
}

TEST_F(PrivateFilesTest, SymlinkIsRefused) {
  std::filesystem::create_symlink("/etc/hostname", dir_ / "link");
  EXPECT_FALSE(EnsurePrivateFile(dir_ / "link").ok());
}

}  // namespace
}  // namespace novacron
