#include "config/units.h"

#include <array>
#include <cstddef>
#include <limits>
#include <utility>

namespace novacron::config {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Appends rather than `"\"" + std::string(...)`, which trips GCC 12's -Wrestrict at -O3.
std::string Quote(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out += '"';
  out += text;
  out += '"';
  return out;
}

// Reads the leading digits of `text` into `out`; false on overflow of int64 or no digits.
bool ReadNumber(std::string_view& text, int64_t& out) {
  size_t i = 0;
  out = 0;
  while (i < text.size() && IsDigit(text[i])) {
    int digit = text[i] - '0';
    if (out > (std::numeric_limits<int64_t>::max() - digit) / 10) return false;
    out = out * 10 + digit;
    ++i;
  }
  if (i == 0) return false;
  text.remove_prefix(i);
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

struct Unit {
  std::string_view name;
  int64_t factor;
};

constexpr int64_t kMsPerDay = 24LL * 3600 * 1000;
// Longest names first so "ms" is not read as "m" followed by "s".
constexpr std::array<Unit, 5> kDurationUnits = {
    {{"ms", 1}, {"s", 1000}, {"m", 60 * 1000}, {"h", 3600 * 1000}, {"d", kMsPerDay}}};

constexpr std::array<Unit, 9> kSizeUnits = {{{"KiB", 1LL << 10},
                                             {"MiB", 1LL << 20},
                                             {"GiB", 1LL << 30},
                                             {"TiB", 1LL << 40},
                                             {"KB", 1000LL},
                                             {"MB", 1000LL * 1000},
                                             {"GB", 1000LL * 1000 * 1000},
                                             {"TB", 1000LL * 1000 * 1000 * 1000},
                                             {"B", 1}}};

}  // namespace

Result<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  const std::string_view original = text;
  text = Trim(text);
  auto bad = [&](std::string_view why) {
    return InvalidArgument("expected a duration such as 500ms, 30s, 5m, 24h, 90d or 1m30s, got " +
                           Quote(original) + " (" + std::string(why) + ")");
  };
  if (text.empty()) return bad("empty");
  if (text == "0") return std::chrono::milliseconds(0);
  int64_t total = 0;
  while (!text.empty()) {
    int64_t n = 0;
    if (!IsDigit(text.front())) return bad("expected a number");
    if (!ReadNumber(text, n)) return bad("number too large");
    const Unit* unit = nullptr;
    for (const Unit& u : kDurationUnits) {
      if (text.substr(0, u.name.size()) == u.name) {
        unit = &u;
        break;
      }
    }
    if (unit == nullptr) return bad(text.empty() ? "missing unit" : "unknown unit");
    text.remove_prefix(unit->name.size());
    if (n > (std::numeric_limits<int64_t>::max() - total) / unit->factor) {
      return bad("too large");
    }
    total += n * unit->factor;
  }
  return std::chrono::milliseconds(total);
}

std::string FormatDuration(std::chrono::milliseconds d) {
  int64_t ms = d.count();
  if (ms == 0) return "0s";
  std::string out;
  // Work with a non-positive value so that INT64_MIN does not overflow on negation.
  if (ms < 0) {
    out = "-";
  } else {
    ms = -ms;
  }
  for (size_t i = kDurationUnits.size(); i-- > 0;) {
    const Unit& u = kDurationUnits[i];
    int64_t n = ms / u.factor;  // <= 0
    if (n != 0) {
      out += std::to_string(n).substr(1);  // drop the '-'
      out += u.name;
      ms -= n * u.factor;
    }
  }
  return out;
}

Result<int64_t> ParseSize(std::string_view text) {
  const std::string_view original = text;
  text = Trim(text);
  auto bad = [&](std::string_view why) {
    return InvalidArgument("expected a size such as 1048576, 512KiB, 1MiB or 10MB, got " +
                           Quote(original) + " (" + std::string(why) + ")");
  };
  int64_t n = 0;
  if (text.empty() || !IsDigit(text.front())) return bad("expected a number");
  if (!ReadNumber(text, n)) return bad("number too large");
  text = Trim(text);
  if (text.empty()) return n;
  for (const Unit& u : kSizeUnits) {
    if (text == u.name) {
      if (n > std::numeric_limits<int64_t>::max() / u.factor) return bad("too large");
      return n * u.factor;
    }
  }
  return bad("unknown unit; use B, KiB, MiB, GiB, TiB, KB, MB, GB or TB");
}

std::string FormatSize(int64_t bytes) {
  constexpr std::array<std::pair<std::string_view, int64_t>, 4> kBinary = {
      {{"TiB", 1LL << 40}, {"GiB", 1LL << 30}, {"MiB", 1LL << 20}, {"KiB", 1LL << 10}}};
  if (bytes > 0) {
    for (const auto& [name, factor] : kBinary) {
      if (bytes % factor == 0) return std::to_string(bytes / factor) + std::string(name);
    }
  }
  return std::to_string(bytes);
}

Result<HostPort> ParseHostPort(std::string_view text) {
  const std::string quoted = Quote(text);
  auto bad = [&](std::string_view why) {
    return InvalidArgument("expected HOST, HOST:PORT, [IPv6]:PORT or :PORT, got " + quoted + " (" +
                           std::string(why) + ")");
  };
  if (text.empty()) return bad("empty");
  HostPort out;
  std::string_view port_text;
  bool has_port = false;
  if (text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos) return bad("missing ']'");
    out.host = std::string(text.substr(1, close - 1));
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return bad("expected ':' after ']'");
      port_text = rest.substr(1);
      has_port = true;
    }
    if (out.host.empty()) return bad("empty IPv6 address");
  } else {
    size_t first = text.find(':');
    size_t last = text.rfind(':');
    if (first != std::string_view::npos && first == last) {
      out.host = std::string(text.substr(0, first));
      port_text = text.substr(first + 1);
      has_port = true;
    } else {
      out.host = std::string(text);  // no colon, or a bare IPv6 address
    }
  }
  for (char c : out.host) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || IsDigit(c) || c == '.' ||
              c == '-' || c == '_' || c == ':' || c == '%';
    if (!ok) return bad("invalid character in host");
  }
  if (has_port) {
    int64_t port = 0;
    std::string_view digits = port_text;
    if (!ReadNumber(digits, port) || !digits.empty()) return bad("port is not a number");
    if (port > 65535) return bad("port out of range 0..65535");
    out.port = static_cast<int>(port);
  }
  return out;
}

}  // namespace novacron::config
