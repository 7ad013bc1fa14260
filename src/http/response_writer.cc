#include "http/response_writer.h"

#include <charconv>
#include <ctime>

namespace novacron::http {
namespace {

bool IsTokenChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

bool IsValidFieldName(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!IsTokenChar(c)) return false;
  }
  return true;
}

bool IsValidFieldValue(std::string_view value) {
  return value.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

void AppendNumber(uint64_t value, std::string& out) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof(digits), value);
  out.append(digits, end);
}

void AppendTwoDigits(int value, char* out) {
  out[0] = static_cast<char>('0' + value / 10);
  out[1] = static_cast<char>('0' + value % 10);
}

}  // namespace

bool ResponseCarriesBody(int status, bool head_request) {
  return !head_request && status != 204 && status != 304;
}

std::string_view HttpDateNow() {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  thread_local time_t cached_second = -1;
  thread_local char formatted[32];
  time_t now = time(nullptr);
  if (now != cached_second) {
    struct tm t;
    gmtime_r(&now, &t);
    // "Sun, 06 Nov 1994 08:49:37 GMT": written by hand because strftime follows the locale.
    char* p = formatted;
    for (const char* d = kDays[t.tm_wday]; *d != '\0'; ++d) *p++ = *d;
    *p++ = ',';
    *p++ = ' ';
    AppendTwoDigits(t.tm_mday, p);
    p += 2;
    *p++ = ' ';
    for (const char* m = kMonths[t.tm_mon]; *m != '\0'; ++m) *p++ = *m;
    *p++ = ' ';
    int year = t.tm_year + 1900;
    AppendTwoDigits(year / 100 % 100, p);
    AppendTwoDigits(year % 100, p + 2);
    p += 4;
    *p++ = ' ';
    AppendTwoDigits(t.tm_hour, p);
    p[2] = ':';
    AppendTwoDigits(t.tm_min, p + 3);
    p[5] = ':';
    AppendTwoDigits(t.tm_sec, p + 6);
    p += 8;
    for (const char* g = " GMT"; *g != '\0'; ++g) *p++ = *g;
    *p = '\0';
    cached_second = now;
  }
  return std::string_view(formatted, 29);
}

Status SerializeResponseHead(const Response& response, const ResponseHeadOptions& options,
                             std::string& out) {
  out.clear();
  if (response.status < 200 || response.status > 999) {
    return Internal("http response: status " + std::to_string(response.status) +
                    " is not a final status code");
  }
  out.append("HTTP/1.1 ");
  AppendNumber(static_cast<uint64_t>(response.status), out);
  out.push_back(' ');
  out.append(StatusReason(response.status));
  out.append("\r\n");
  out.append(options.server_line);
  out.append("Date: ");
  out.append(HttpDateNow());
  out.append("\r\n");
  if (response.status != 204 && response.status != 304) {
    out.append("Content-Length: ");
    AppendNumber(response.body.size(), out);
    out.append("\r\n");
  }
  for (const auto& [name, value] : response.headers) {
    if (!IsValidFieldName(name) || !IsValidFieldValue(value)) {
      out.clear();
      return Internal("http response: header '" + name + "' has an invalid name or value");
    }
    if (EqualsIgnoreCase(name, "Content-Length") || EqualsIgnoreCase(name, "Transfer-Encoding") ||
        EqualsIgnoreCase(name, "Connection")) {
      continue;  // framing is the server's business
    }
    out.append(name);
    out.append(": ");
    out.append(value);
    out.append("\r\n");
  }
  if (!options.keep_alive) {
    out.append("Connection: close\r\n");
  } else if (options.http10) {
    out.append("Connection: keep-alive\r\n");
  }
  out.append("\r\n");
  return Status::Ok();
}

}  // namespace novacron::http
