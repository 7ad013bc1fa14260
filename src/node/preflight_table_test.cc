#include <gtest/gtest.h>

#include <sstream>
#include <vector>

#include "node/preflight.h"

namespace novacron::node {
namespace {

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST(FormatPreflightTableTest, ColumnsAreAligned) {
  PreflightReport report;
  report.checks = {
      {"cpus", CheckResult::kPass, "4", ">= 2", ""},
      {"kvm", CheckResult::kFail, "/dev/kvm missing", "read/write", "load kvm_intel"},
      {"memory_available", CheckResult::kWarn, "100 MiB available", ">= 4096 MiB", "in use"},
  };
  const std::string table = FormatPreflightTable(report);
  ASSERT_FALSE(table.empty());
  EXPECT_EQ(table.back(), '\n');
  const auto lines = Lines(table);
  ASSERT_EQ(lines.size(), 4u);
  const size_t status_col = lines[0].find("STATUS");
  const size_t observed_col = lines[0].find("OBSERVED");
  const size_t required_col = lines[0].find("REQUIRED");
  const size_t detail_col = lines[0].find("DETAIL");
  EXPECT_EQ(lines[0].find("CHECK"), 0u);
  // The widest name sets the STATUS column: "memory_available" + 2 spaces.
  EXPECT_EQ(status_col, std::string("memory_available").size() + 2);
  EXPECT_EQ(lines[1].find("PASS"), status_col);
  EXPECT_EQ(lines[2].find("FAIL"), status_col);
  EXPECT_EQ(lines[3].find("WARN"), status_col);
  EXPECT_EQ(lines[2].find("/dev/kvm missing"), observed_col);
  EXPECT_EQ(lines[2].find("read/write"), required_col);
  EXPECT_EQ(lines[2].find("load kvm_intel"), detail_col);
  for (const std::string& line : lines) {
    EXPECT_NE(line.back(), ' ') << "no trailing spaces: '" << line << "'";
  }
}

TEST(FormatPreflightTableTest, EmptyReportIsJustTheHeader) {
  EXPECT_EQ(FormatPreflightTable(PreflightReport()), "CHECK  STATUS  OBSERVED  REQUIRED  DETAIL\n");
}

}  // namespace
}  // namespace novacron::node
