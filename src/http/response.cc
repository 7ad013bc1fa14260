#include "http/response.h"

#include <charconv>

#include "common/json_string.h"

namespace novacron::http {
namespace {

Response WithBody(int status, std::string_view content_type, std::string body) {
  Response response;
  response.status = status;
  response.headers.Add("Content-Type", content_type);
  response.body = std::move(body);
  return response;
}

}  // namespace

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
  AppendJsonString(body, type);
  body.append(",\"title\":");
  AppendJsonString(body, title);
  body.append(",\"status\":");
  char digits[16];
  auto [end, ec] = std::to_chars(digits, digits + sizeof(digits), status);
  body.append(digits, end);
  body.append(",\"detail\":");
  AppendJsonString(body, detail);
  for (const auto& [name, value] : extra) {
    if (name == "type" || name == "title" || name == "status" || name == "detail") continue;
    body.push_back(',');
    AppendJsonString(body, name);
    body.push_back(':');
    AppendJsonString(body, value);
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
