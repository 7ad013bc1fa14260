// Serializes a Response's status line and header block for the server. Internal to http/.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "http/response.h"

namespace novacron::http {

struct ResponseHeadOptions {
  bool head_request = false;     // HEAD: announce the body's length, send no body
  bool keep_alive = true;        // false adds "Connection: close"
  bool http10 = false;           // HTTP/1.0 clients need "Connection: keep-alive" to keep it
  std::string_view server_line;  // "Server: novacron\r\n", or "" for none
};

// Writes "HTTP/1.1 <status> <reason>\r\n<headers>\r\n" into `out` (replaced), with Server,
// Date, Content-Length and Connection set by the server: handler-set Content-Length,
// Transfer-Encoding and Connection are dropped. Fails (the caller answers 500 instead) when
// the status is not 200..999 or a handler-set header has a bad name or a CR/LF/NUL in its value
// (response splitting).
Status SerializeResponseHead(const Response& response, const ResponseHeadOptions& options,
                             std::string& out);

// Whether the body bytes go on the wire: not for HEAD, 204 and 304.
bool ResponseCarriesBody(int status, bool head_request);

// The current time as an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"), formatted once per
// second per thread.
std::string_view HttpDateNow();

}  // namespace novacron::http
