#include "node/proc_parse.h"

#include <gtest/gtest.h>

#include "node/temp_dir_for_test.h"

namespace novacron::node {
namespace {

TEST(ParseMeminfoTest, ReadsTotalAndAvailable) {
  const auto info = ParseMeminfo(
      "MemTotal:       24684092 kB\nMemFree:        24432564 kB\n"
      "MemAvailable:   24382840 kB\nBuffers:           17304 kB\n",
      "/proc/meminfo");
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->total_bytes, 24684092ULL * 1024);
  EXPECT_EQ(info->available_bytes, 24382840ULL * 1024);
}

TEST(ParseMeminfoTest, OldKernelWithoutMemAvailableSumsFreeBuffersCached) {
  const auto info =
      ParseMeminfo("MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 20 kB\nCached: 300 kB\n", "m");
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->available_bytes, 420ULL * 1024);
}

TEST(ParseMeminfoTest, MissingTotalIsAnErrorNamingTheSource) {
  const auto info = ParseMeminfo("MemFree: 100 kB\n", "/fake/meminfo");
  ASSERT_FALSE(info.ok());
  EXPECT_EQ(info.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(info.status().message().find("/fake/meminfo"), std::string::npos);
  EXPECT_NE(info.status().message().find("MemTotal"), std::string::npos);
}

TEST(ParseMeminfoTest, GarbageNumberNamesFileAndLine) {
  const auto info = ParseMeminfo("MemTotal: 1000 kB\nMemAvailable: lots kB\n", "/fake/meminfo");
  ASSERT_FALSE(info.ok());
  EXPECT_NE(info.status().message().find("/fake/meminfo:2"), std::string::npos)
      << info.status().message();
}

TEST(ParseCgroupV2PathTest, FindsUnifiedLine) {
  EXPECT_EQ(ParseCgroupV2Path("0::/system.slice/novacron.service\n"),
            "/system.slice/novacron.service");
  EXPECT_EQ(ParseCgroupV2Path("4:memory:/x\n1:cpu:/\n0::/\n"), "/");
  EXPECT_EQ(ParseCgroupV2Path("4:memory:/x\n1:cpu:/\n"), std::nullopt);
}

TEST(ParseCgroupCpuMaxTest, QuotaOverPeriod) {
  EXPECT_EQ(ParseCgroupCpuMax("150000 100000\n"), 1.5);
  EXPECT_EQ(ParseCgroupCpuMax("max 100000\n"), std::nullopt);
  EXPECT_EQ(ParseCgroupCpuMax("100000 0"), std::nullopt);
  EXPECT_EQ(ParseCgroupCpuMax("garbage"), std::nullopt);
}

TEST(ParseCgroupBytesTest, NumberOrMax) {
  EXPECT_EQ(ParseCgroupBytes("1073741824\n"), 1073741824ULL);
  EXPECT_EQ(ParseCgroupBytes("max\n"), std::nullopt);
}

TEST(ReadSmallFileTest, ReadsAndReportsMissing) {
  TempDirForTest dir;
  const std::string path = dir.Write("f", "hello\n");
  const auto text = ReadSmallFile(path);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, "hello\n");
  const auto missing = ReadSmallFile(dir.path() + "/nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), ErrorCode::kNotFound);
  EXPECT_NE(missing.status().message().find(dir.path() + "/nope"), std::string::npos);
}

TEST(ReadSmallFileTest, ReadsProcFilesThatReportSizeZero) {
  const auto text = ReadSmallFile("/proc/self/status");
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  EXPECT_NE(text->find("Name:"), std::string::npos);
}

}  // namespace
}  // namespace novacron::node
