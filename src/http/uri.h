// Percent-decoding and query-string lookup (RFC 3986), without allocation when nothing needs
// decoding.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace novacron::http {

// Decodes %XX escapes into `out` (replacing its contents). With `plus_is_space` a '+' becomes
// ' ' (application/x-www-form-urlencoded, used in query strings). Returns false on a malformed
// escape ("%", "%4", "%zz").
bool PercentDecode(std::string_view in, std::string& out, bool plus_is_space = false);

// The decoded value of the first `name` parameter in a raw query string ("a=1&b=x%20y"), or
// nullopt when it is absent or its value is malformed. A parameter without '=' has value "".
std::optional<std::string> FindQueryParam(std::string_view query, std::string_view name);

}  // namespace novacron::http
