#include "observe/process_metrics.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cmath>
#include <fstream>
#include <sstream>
#include <string>

namespace novacron::observe {
namespace {

const double kNaN = std::nan("");

// /proc/self/statm: size resident shared text lib data dt, in pages. `index` 0 = size.
double StatmBytes(int index) {
  std::ifstream statm("/proc/self/statm");
  double pages = 0;
  for (int i = 0; i <= index; ++i) {
    if (!(statm >> pages)) return kNaN;
  }
  return pages * static_cast<double>(sysconf(_SC_PAGESIZE));
}

double CpuSeconds() {
  rusage usage{};
  if (getrusage(RUSAGE_SELF, &usage) != 0) return kNaN;
  auto seconds = [](const timeval& tv) {
    return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

double OpenFds() {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return kNaN;
  const int own_fd = dirfd(dir);
  double count = 0;
  while (const dirent* entry = readdir(dir)) {
    const std::string name = entry->d_name;
    if (name == "." || name == ".." || name == std::to_string(own_fd)) continue;
    ++count;
  }
  closedir(dir);
  return count;
}

double MaxFds() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return kNaN;
  if (limit.rlim_cur == RLIM_INFINITY) return INFINITY;
  return static_cast<double>(limit.rlim_cur);
}

// Boot time (btime in /proc/stat) plus the process start (field 22 of /proc/self/stat, in clock
// ticks since boot).
double StartTimeSeconds() {
  std::ifstream proc_stat("/proc/stat");
  std::string line;
  double boot_time = kNaN;
  while (std::getline(proc_stat, line)) {
    if (line.starts_with("btime ")) boot_time = std::stod(line.substr(6));
  }
  std::ifstream self_stat("/proc/self/stat");
  std::getline(self_stat, line);
  // The command name (field 2) is in parentheses and may contain spaces and parentheses.
  const size_t paren = line.rfind(')');
  if (paren == std::string::npos || std::isnan(boot_time)) return kNaN;
  std::istringstream fields(line.substr(paren + 1));
  std::string field;
  for (int i = 3; i <= 22; ++i) {
    if (!(fields >> field)) return kNaN;
  }
  return boot_time + std::stod(field) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

}  // namespace

Status RegisterProcessMetrics(Registry& registry) {
  double start_time = kNaN;
  try {
    start_time = StartTimeSeconds();
  } catch (const std::exception&) {
    // std::stod on a malformed /proc file: leave NaN.
  }
  NOVACRON_RETURN_IF_ERROR(registry.RegisterCounterFunc(
      "process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", CpuSeconds));
  NOVACRON_RETURN_IF_ERROR(registry.RegisterGaugeFunc("process_resident_memory_bytes",
                                                      "Resident memory size in bytes.",
                                                      [] { return StatmBytes(1); }));
  NOVACRON_RETURN_IF_ERROR(registry.RegisterGaugeFunc("process_virtual_memory_bytes",
                                                      "Virtual memory size in bytes.",
                                                      [] { return StatmBytes(0); }));
  NOVACRON_RETURN_IF_ERROR(registry.RegisterGaugeFunc(
      "process_start_time_seconds", "Start time of the process since unix epoch in seconds.",
      [start_time] { return start_time; }));
  NOVACRON_RETURN_IF_ERROR(
      registry.RegisterGaugeFunc("process_open_fds", "Number of open file descriptors.", OpenFds));
  NOVACRON_RETURN_IF_ERROR(registry.RegisterGaugeFunc(
      "process_max_fds", "Maximum number of open file descriptors.", MaxFds));
  return Status::Ok();
}

}  // namespace novacron::observe
