// An HTTP response as handlers build it, with helpers for JSON, text and RFC 7807 problem
// details. The server adds Content-Length, Date, Server and Connection itself.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/headers.h"

namespace novacron::http {

struct Response {
  int status = 200;
  Headers headers;
  std::string body;

  // `body` must already be JSON; Content-Type: application/json.
  static Response Json(int status, std::string body);
  // Content-Type: text/plain; charset=utf-8.
  static Response Text(int status, std::string body);
  // An RFC 7807 body {"type","title","status","detail", extra...} with Content-Type
  // application/problem+json. `extra` adds string members, e.g. {"field", "spec.memory_mb"};
  // an extra "type" replaces the default "about:blank".
  static Response Problem(int status, std::string_view title, std::string_view detail,
                          const std::vector<std::pair<std::string, std::string>>& extra = {});
};

// "OK", "Not Found", ...; "Unknown" for codes without a registered phrase.
std::string_view StatusReason(int status);

}  // namespace novacron::http
