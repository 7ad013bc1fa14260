#include "observe/process_metrics.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <string>

namespace novacron::observe {
namespace {

// The value of the label-less sample `name` in `text`, NaN if absent.
double SampleValue(const std::string& text, const std::string& name) {
  const std::string prefix = "\n" + name + " ";
  const size_t pos = text.find(prefix);
  if (pos == std::string::npos) return std::nan("");
  const size_t start = pos + prefix.size();
  return std::stod(text.substr(start, text.find('\n', start) - start));
}

TEST(ProcessMetricsTest, ReportsPlausibleValues) {
  Registry registry;
  ASSERT_TRUE(RegisterProcessMetrics(registry).ok());
  const std::string text = registry.Render();

  EXPECT_NE(text.find("# TYPE process_cpu_seconds_total counter\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE process_resident_memory_bytes gauge\n"), std::string::npos);
  EXPECT_GE(SampleValue(text, "process_cpu_seconds_total"), 0);
  EXPECT_GT(SampleValue(text, "process_resident_memory_bytes"), 1024 * 1024);
  EXPECT_GE(SampleValue(text, "process_virtual_memory_bytes"),
            SampleValue(text, "process_resident_memory_bytes"));
  EXPECT_GE(SampleValue(text, "process_open_fds"), 3);  // stdin, stdout, stderr at least
  EXPECT_GE(SampleValue(text, "process_max_fds"), SampleValue(text, "process_open_fds"));

  const double now =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  const double start = SampleValue(text, "process_start_time_seconds");
  // Started before now (with a tick of rounding), and not before a week ago.
  EXPECT_LE(start, now + 1);
  EXPECT_GT(start, now - 7 * 24 * 3600);
}

TEST(ProcessMetricsTest, OpenFdsCountsANewDescriptor) {
  Registry registry;
  ASSERT_TRUE(RegisterProcessMetrics(registry).ok());
  const double before = SampleValue(registry.Render(), "process_open_fds");
  const int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  const double during = SampleValue(registry.Render(), "process_open_fds");
  close(fd);
  EXPECT_EQ(during, before + 1);
}

TEST(ProcessMetricsTest, RegisteringTwiceIsAnError) {
  Registry registry;
  ASSERT_TRUE(RegisterProcessMetrics(registry).ok());
  const Status again = RegisterProcessMetrics(registry);
  EXPECT_EQ(again.code(), ErrorCode::kAlreadyExists);
  EXPECT_NE(again.message().find("process_cpu_seconds_total"), std::string::npos);
}

}  // namespace
}  // namespace novacron::observe
