#include "cache/redis_url.h"

#include <charconv>

#include "common/host_port.h"

namespace novacron::cache {
namespace {

Status UrlError(std::string_view what) {
  return InvalidArgument(std::string(kRedisUrlKey) + ": " + std::string(what) +
                         " (expected redis://[:password@]host:port[/db])");
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decoding, so a password may hold '@', ':' or '/'. The error names the part, never the
// text, which may be the password.
Result<std::string> PercentDecode(std::string_view text, std::string_view part) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    int hi = i + 2 < text.size() ? HexValue(text[i + 1]) : -1;
    int lo = i + 2 < text.size() ? HexValue(text[i + 2]) : -1;
    if (hi < 0 || lo < 0) return UrlError("bad percent-escape in the " + std::string(part));
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

// Text worth quoting in an error: digits only, so a misplaced password is never echoed.
std::string Quoted(std::string_view text) {
  bool digits = !text.empty() && text.size() <= 12 &&
                text.find_first_not_of("0123456789") == std::string_view::npos;
  return digits ? " \"" + std::string(text) + "\"" : "";
}

// A decimal integer in [min, max], whole string.
bool ParseInt(std::string_view text, int min, int max, int* out) {
  if (text.empty()) return false;
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return false;
  if (value < min || value > max) return false;
  *out = value;
  return true;
}

Status ParseHostPort(std::string_view hostport, RedisEndpoint* endpoint) {
  std::string_view port_text;
  bool has_port = false;
  if (hostport.starts_with('[')) {
    size_t close = hostport.find(']');
    if (close == std::string_view::npos) return UrlError("unclosed '[' in the IPv6 host");
    endpoint->host = std::string(hostport.substr(1, close - 1));
    std::string_view rest = hostport.substr(close + 1);
    if (!rest.empty()) {
      if (rest[0] != ':') return UrlError("unexpected text after the IPv6 host");
      port_text = rest.substr(1);
      has_port = true;
    }
  } else {
    size_t colon = hostport.rfind(':');
    if (colon != std::string_view::npos) {
      if (hostport.find(':') != colon) {
        return UrlError("IPv6 hosts need brackets, as in redis://[::1]:6379");
      }
      port_text = hostport.substr(colon + 1);
      hostport = hostport.substr(0, colon);
      has_port = true;
    }
    endpoint->host = std::string(hostport);
  }
  if (endpoint->host.empty()) return UrlError("missing host");
  if (has_port && !ParseInt(port_text, 1, 65535, &endpoint->port)) {
    return UrlError("port" + Quoted(port_text) + " is not a number in 1-65535");
  }
  return Status::Ok();
}

}  // namespace

std::string RedisEndpoint::Address() const { return FormatHostPort(host, port); }

Result<RedisEndpoint> ParseRedisUrl(std::string_view url) {
  constexpr std::string_view kScheme = "redis://";
  if (url.empty()) return UrlError("empty, but storage.cache_backend is redis");
  if (!url.starts_with(kScheme)) {
    if (url.starts_with("rediss://")) return UrlError("TLS (rediss://) is not supported");
    size_t scheme_end = url.find("://");
    if (scheme_end == std::string_view::npos) return UrlError("missing the redis:// scheme");
    std::string_view scheme = url.substr(0, scheme_end);
    bool plain = scheme.size() <= 16 &&
                 scheme.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789+.-") ==
                     std::string_view::npos;
    return UrlError(plain ? "unsupported scheme \"" + std::string(scheme) + "\""
                          : std::string("missing the redis:// scheme"));
  }
  std::string_view rest = url.substr(kScheme.size());
  if (size_t query = rest.find_first_of("?#"); query != std::string_view::npos) {
    // The query cannot hold the password either: userinfo ends at the last '@' before it.
    return UrlError("query strings and fragments are not supported");
  }

  RedisEndpoint endpoint;
  // The userinfo ends at the last '@' so an unescaped '@' in the password still works.
  size_t at = rest.rfind('@');
  if (at != std::string_view::npos) {
    std::string_view userinfo = rest.substr(0, at);
    rest = rest.substr(at + 1);
    size_t colon = userinfo.find(':');
    if (colon == std::string_view::npos) {
      return UrlError("the part before '@' must be \":password\" or \"user:password\"");
    }
    NOVACRON_ASSIGN_OR_RETURN(endpoint.username,
                              PercentDecode(userinfo.substr(0, colon), "user name"));
    NOVACRON_ASSIGN_OR_RETURN(endpoint.password,
                              PercentDecode(userinfo.substr(colon + 1), "password"));
    if (endpoint.password.empty()) return UrlError("empty password after ':'");
  }

  std::string_view hostport = rest;
  std::string_view path;
  if (size_t slash = rest.find('/'); slash != std::string_view::npos) {
    hostport = rest.substr(0, slash);
    path = rest.substr(slash + 1);
  }
  NOVACRON_RETURN_IF_ERROR(ParseHostPort(hostport, &endpoint));
  if (!path.empty() && !ParseInt(path, 0, 1 << 20, &endpoint.db)) {
    return UrlError("database" + Quoted(path) + " is not a number in 0-1048576");
  }
  return endpoint;
}

}  // namespace novacron::cache
