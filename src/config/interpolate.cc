#include "config/interpolate.h"

#include <unistd.h>

extern char** environ;  // NOLINT: POSIX

namespace novacron::config {
namespace {

bool IsNameStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsNameChar(char c) { return IsNameStart(c) || (c >= '0' && c <= '9'); }

}  // namespace

Environment EnvironmentFromProcess() {
  Environment env;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    std::string_view line(*entry);
    size_t eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    env.emplace(std::string(line.substr(0, eq)), std::string(line.substr(eq + 1)));
  }
  return env;
}

Result<std::string> Interpolate(std::string_view text, const Environment& env,
                                std::vector<std::string>* used) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    if (text.compare(i, 3, "$${") == 0) {
      out += "${";
      i += 3;
      continue;
    }
    if (text.compare(i, 2, "${") != 0) {
      out += text[i++];
      continue;
    }
    size_t close = text.find('}', i + 2);
    if (close == std::string_view::npos) {
      return InvalidArgument("unterminated \"${\" (write \"$${\" for a literal \"${\")");
    }
    std::string_view inner = text.substr(i + 2, close - i - 2);
    size_t fallback_at = inner.find(":-");
    std::string_view name = inner.substr(0, fallback_at);
    bool valid = !name.empty() && IsNameStart(name.front());
    for (char c : name) valid = valid && IsNameChar(c);
    if (!valid) {
      return InvalidArgument("invalid variable name in \"${" + std::string(inner) +
                             "}\" (expected ${NAME} or ${NAME:-default})");
    }
    if (used != nullptr) used->emplace_back(name);
    auto it = env.find(name);
    if (fallback_at != std::string_view::npos) {
      bool set = it != env.end() && !it->second.empty();
      out += set ? std::string_view(it->second) : inner.substr(fallback_at + 2);
    } else if (it != env.end()) {
      out += it->second;
    } else {
      return InvalidArgument("environment variable " + std::string(name) + " is not set (use ${" +
                             std::string(name) + ":-default} for a fallback)");
    }
    i = close + 1;
  }
  return out;
}

}  // namespace novacron::config
