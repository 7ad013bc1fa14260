// Text escaping for the output formats of this module (JSON strings: common/json_string.h):
// logfmt-style values (human-readable log lines on a terminal) and the Prometheus text exposition
// format. Every function replaces invalid UTF-8 with U+FFFD, so the output is always valid UTF-8.
#pragma once

#include <string>
#include <string_view>

namespace novacron::observe {

// Appends `s` for a terminal: control characters (C0, DEL, C1 — including ESC, so a hostile
// string cannot move the cursor or change colours) become \n, \t, \r, \xNN or \u00NN.
// Quoted (with `"` and `\` escaped) when `quote_if_needed` and `s` is empty or contains a space,
// `=`, `"` or an escaped character; used for `key=value` fields.
void AppendTerminalText(std::string& out, std::string_view s, bool quote_if_needed);

// Prometheus label value: `\` -> `\\`, `"` -> `\"`, newline -> `\n`.
void AppendPrometheusLabelValue(std::string& out, std::string_view s);

// Prometheus HELP text: `\` -> `\\`, newline -> `\n`.
void AppendPrometheusHelp(std::string& out, std::string_view s);

// `s` with every invalid UTF-8 sequence replaced by U+FFFD.
std::string SanitizeUtf8(std::string_view s);

}  // namespace novacron::observe
