// JSON string literals for the hand-built JSON of hot paths (log lines, problem bodies): quotes
// and control characters escaped, invalid UTF-8 replaced by U+FFFD so the output always parses.
#pragma once

#include <string>
#include <string_view>

namespace novacron {

// Appends `s` to `out` as a JSON string literal, quotes included.
void AppendJsonString(std::string& out, std::string_view s);

}  // namespace novacron
