#include "observe/escape.h"

#include <cstddef>

namespace novacron::observe {
namespace {

constexpr std::string_view kReplacementChar = "\xEF\xBF\xBD";  // U+FFFD
constexpr char kHex[] = "0123456789abcdef";

struct Utf8Char {
  char32_t code_point;
  size_t length;  // bytes consumed; for an invalid sequence, its maximal ill-formed subpart
  bool valid;
};

// Decodes the character at `s[i]` following the well-formed byte sequences of Unicode table 3-7,
// which rejects overlong forms, surrogates and code points above U+10FFFF.
Utf8Char DecodeAt(std::string_view s, size_t i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) return {b0, 1, true};
  size_t continuation;
  char32_t cp;
  unsigned char lo = 0x80;
  unsigned char hi = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    continuation = 1;
    cp = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    continuation = 2;
    cp = b0 & 0x0F;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    continuation = 3;
    cp = b0 & 0x07;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    return {0, 1, false};
  }
  for (size_t k = 1; k <= continuation; ++k) {
    if (i + k >= s.size()) return {0, k, false};
    const auto b = static_cast<unsigned char>(s[i + k]);
    if (b < lo || b > hi) return {0, k, false};
    lo = 0x80;
    hi = 0xBF;
    cp = (cp << 6) | (b & 0x3F);
  }
  return {cp, continuation + 1, true};
}

// Calls `ascii(byte)` for each ASCII byte and `other(char)` for each non-ASCII character
// (valid or not); lets each escaper only decide what to do with a character.
template <typename AsciiFn, typename OtherFn>
void ForEachChar(std::string_view s, AsciiFn ascii, OtherFn other) {
  size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    if (b < 0x80) {
      ascii(static_cast<char>(b));
      ++i;
      continue;
    }
    const Utf8Char c = DecodeAt(s, i);
    other(c, s.substr(i, c.length));
    i += c.length;
  }
}

void AppendValidOrReplacement(std::string& out, const Utf8Char& c, std::string_view bytes) {
  if (c.valid) {
    out.append(bytes);
  } else {
    out.append(kReplacementChar);
  }
}

void AppendHexByte(std::string& out, std::string_view prefix, unsigned value) {
  out.append(prefix);
  out.push_back(kHex[(value >> 4) & 0xF]);
  out.push_back(kHex[value & 0xF]);
}

bool IsTerminalControl(char32_t cp) { return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F); }

bool NeedsTerminalQuotes(std::string_view s) {
  if (s.empty()) return true;
  bool needs = false;
  ForEachChar(
      s,
      [&](char c) {
        if (c == ' ' || c == '=' || c == '"' || c == '\\' ||
            IsTerminalControl(static_cast<unsigned char>(c))) {
          needs = true;
        }
      },
      [&](const Utf8Char& c, std::string_view) {
        if (!c.valid || IsTerminalControl(c.code_point)) needs = true;
      });
  return needs;
}

}  // namespace

void AppendTerminalText(std::string& out, std::string_view s, bool quote_if_needed) {
  const bool quoted = quote_if_needed && NeedsTerminalQuotes(s);
  if (quoted) out.push_back('"');
  ForEachChar(
      s,
      [&](char c) {
        const auto b = static_cast<unsigned char>(c);
        if (c == '\n') {
          out.append("\\n");
        } else if (c == '\t') {
          out.append("\\t");
        } else if (c == '\r') {
          out.append("\\r");
        } else if (IsTerminalControl(b)) {
          AppendHexByte(out, "\\x", b);
        } else if (quoted && (c == '"' || c == '\\')) {
          out.push_back('\\');
          out.push_back(c);
        } else {
          out.push_back(c);
        }
      },
      [&](const Utf8Char& c, std::string_view bytes) {
        if (c.valid && IsTerminalControl(c.code_point)) {
          AppendHexByte(out, "\\u00", static_cast<unsigned>(c.code_point));
        } else {
          AppendValidOrReplacement(out, c, bytes);
        }
      });
  if (quoted) out.push_back('"');
}

void AppendPrometheusLabelValue(std::string& out, std::string_view s) {
  ForEachChar(
      s,
      [&](char c) {
        if (c == '\\') {
          out.append("\\\\");
        } else if (c == '"') {
          out.append("\\\"");
        } else if (c == '\n') {
          out.append("\\n");
        } else {
          out.push_back(c);
        }
      },
      [&](const Utf8Char& c, std::string_view bytes) { AppendValidOrReplacement(out, c, bytes); });
}

void AppendPrometheusHelp(std::string& out, std::string_view s) {
  ForEachChar(
      s,
      [&](char c) {
        if (c == '\\') {
          out.append("\\\\");
        } else if (c == '\n') {
          out.append("\\n");
        } else {
          out.push_back(c);
        }
      },
      [&](const Utf8Char& c, std::string_view bytes) { AppendValidOrReplacement(out, c, bytes); });
}

std::string SanitizeUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  ForEachChar(
      s, [&](char c) { out.push_back(c); },
      [&](const Utf8Char& c, std::string_view bytes) { AppendValidOrReplacement(out, c, bytes); });
  return out;
}

}  // namespace novacron::observe
