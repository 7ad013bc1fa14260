#include "node/proc_parse.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

namespace novacron::node {
namespace {

std::string_view Trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t\r\n");
  return s.substr(first, last - first + 1);
}

std::optional<uint64_t> ParseU64(std::string_view s) {
  uint64_t v = 0;
  const auto* end = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(s.data(), end, v);
  if (ec != std::errc() || ptr != end || s.empty()) return std::nullopt;
  return v;
}

// Calls `fn(line)` for each line of `text`.
template <typename Fn>
void ForEachLine(std::string_view text, Fn fn) {
  while (!text.empty()) {
    const auto nl = text.find('\n');
    fn(text.substr(0, nl));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
}

}  // namespace

Result<Meminfo> ParseMeminfo(std::string_view text, std::string_view source) {
  std::optional<uint64_t> total, available, free, buffers, cached;
  int line_no = 0;
  Status error;
  ForEachLine(text, [&](std::string_view line) {
    ++line_no;
    const auto colon = line.find(':');
    if (colon == std::string_view::npos || !error.ok()) return;
    const std::string_view key = line.substr(0, colon);
    std::optional<uint64_t>* slot = key == "MemTotal"       ? &total
                                    : key == "MemAvailable" ? &available
                                    : key == "MemFree"      ? &free
                                    : key == "Buffers"      ? &buffers
                                    : key == "Cached"       ? &cached
                                                            : nullptr;
    if (slot == nullptr) return;
    std::string_view value = Trim(line.substr(colon + 1));
    if (value.size() > 2 && value.substr(value.size() - 2) == "kB") {
      value = Trim(value.substr(0, value.size() - 2));
    }
    const auto kib = ParseU64(value);
    if (!kib) {
      error = InvalidArgument(std::string(source) + ":" + std::to_string(line_no) + ": " +
                              std::string(key) + " is not a number of kB: '" +
                              std::string(Trim(line.substr(colon + 1))) + "'");
      return;
    }
    *slot = *kib * 1024;
  });
  if (!error.ok()) return error;
  if (!total) return InvalidArgument(std::string(source) + ": no MemTotal line");
  Meminfo info;
  info.total_bytes = *total;
  if (available) {
    info.available_bytes = *available;
  } else if (free) {
    info.available_bytes = *free + buffers.value_or(0) + cached.value_or(0);
  } else {
    return InvalidArgument(std::string(source) + ": neither MemAvailable nor MemFree");
  }
  return info;
}

std::optional<std::string> ParseCgroupV2Path(std::string_view text) {
  std::optional<std::string> path;
  ForEachLine(text, [&](std::string_view line) {
    if (line.substr(0, 3) == "0::") path = std::string(Trim(line.substr(3)));
  });
  return path;
}

std::optional<double> ParseCgroupCpuMax(std::string_view text) {
  text = Trim(text);
  const auto space = text.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  const auto quota = ParseU64(text.substr(0, space));  // "max" does not parse: no limit
  const auto period = ParseU64(Trim(text.substr(space + 1)));
  if (!quota || !period || *period == 0) return std::nullopt;
  return static_cast<double>(*quota) / static_cast<double>(*period);
}

std::optional<uint64_t> ParseCgroupBytes(std::string_view text) { return ParseU64(Trim(text)); }

Result<std::string> ReadSmallFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    const std::string msg = path + ": " + std::strerror(err);
    if (err == ENOENT || err == ENOTDIR) return NotFound(msg);
    if (err == EACCES || err == EPERM) return PermissionDenied(msg);
    return Internal(msg);
  }
  std::string text;
  char buf[4096];
  while (true) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      return Internal(path + ": read: " + std::strerror(err));
    }
    text.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return text;
}

}  // namespace novacron::node
