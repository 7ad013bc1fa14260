#include "http/response.h"

#include <charconv>

namespace novacron::http {
namespace {

constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";  // U+FFFD

// Length of the valid UTF-8 sequence at the start of `s`, or 0 when it is not valid UTF-8
// (overlong forms, surrogates and code points above U+10FFFF are invalid).
size_t ValidUtf8SequenceLength(std::string_view s) {
  auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  auto is_continuation = [&](size_t i) { return i < s.size() && (byte(i) & 0xC0) == 0x80; };
  unsigned char lead = byte(0);
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) return is_continuation(1) ? 2 : 0;
  if (lead >= 0xE0 && lead <= 0xEF) {
    if (!is_continuation(1) || !is_continuation(2)) return 0;
    if (lead == 0xE0 && byte(1) < 0xA0) return 0;  // overlong
    if (lead == 0xED && byte(1) > 0x9F) return 0;  // surrogate
    return 3;
  }
  if (lead >= 0xF0 && lead <= 0xF4) {
    if (!is_continuation(1) || !is_continuation(2) || !is_continuation(3)) return 0;
    if (lead == 0xF0 && byte(1) < 0x90) return 0;  // overlong
    if (lead == 0xF4 && byte(1) > 0x8F) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;
}

Response WithBody(int status, std::string_view content_type, std::string body) {
  Response response;
  response.status = status;
  response.headers.Add("Content-Type", content_type);
  response.body = std::move(body);
  return response;
}

}  // namespace

void AppendJsonString(std::string_view s, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    auto u = static_cast<unsigned char>(c);
    if (u >= 0x80) {
      size_t n = ValidUtf8SequenceLength(s.substr(i));
      if (n == 0) {
        out.append(kReplacementCharacter);  // keep the document valid JSON
        ++i;
      } else {
        out.append(s.substr(i, n));
        i += n;
      }
      continue;
    }
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      case '\b':
        out.append("\\b");
        break;
      case '\f':
        out.append("\\f");
        break;
      default:
        if (u < 0x20 || u == 0x7F) {
          out.append("\\u00");
          out.push_back(kHex[u >> 4]);
          out.push_back(kHex[u & 0xF]);
        } else {
          out.push_back(c);
        }
    }
    ++i;
  }
  out.push_back('"');
}

Response Response::Json(int status, std::string body) {
  return WithBody(status, "application/json", std::move(body));
}

Response Response::Text(int status, std::string body) {
  return WithBody(status, "text/plain; charset=utf-8", std::move(body));
}

Response Response::Problem(int status, std::string_view title, std::string_view detail,
                           const std::vector<std::pair<std::string, std::string>>& extra) {
  std::string_view type = "about:blank";
  for (const auto& [name, value] : extra) {
    if (name == "type") type = value;
  }
  std::string body;
  body.reserve(64 + title.size() + detail.size());
  body.append("{\"type\":");
  AppendJsonString(type, body);
  body.append(",\"title\":");
  AppendJsonString(title, body);
  body.append(",\"status\":");
  char digits[16];
  auto [end, ec] = std::to_chars(digits, digits + sizeof(digits), status);
  body.append(digits, end);
  body.append(",\"detail\":");
  AppendJsonString(detail, body);
  for (const auto& [name, value] : extra) {
    if (name == "type" || name == "title" || name == "status" || name == "detail") continue;
    body.push_back(',');
    AppendJsonString(name, body);
    body.push_back(':');
    AppendJsonString(value, body);
  }
  body.push_back('}');
  return WithBody(status, "application/problem+json", std::move(body));
}

std::string_view StatusReason(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 101:
      return "Switching Protocols";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 206:
      return "Partial Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 303:
      return "See Other";
    case 304:
      return "Not Modified";
    case 307:
      return "Temporary Redirect";
    case 308:
      return "Permanent Redirect";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 406:
      return "Not Acceptable";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 411:
      return "Length Required";
    case 412:
      return "Precondition Failed";
    case 413:
      return "Content Too Large";
    case 414:
      return "URI Too Long";
    case 415:
      return "Unsupported Media Type";
    case 416:
      return "Range Not Satisfiable";
    case 417:
      return "Expectation Failed";
    case 422:
      return "Unprocessable Content";
    case 428:
      return "Precondition Required";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "Unknown";
  }
}

}  // namespace novacron::http
