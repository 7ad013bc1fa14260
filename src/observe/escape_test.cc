#include "observe/escape.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "common/json_string.h"

namespace novacron::observe {
namespace {

const std::string kFffd = "\xEF\xBF\xBD";

std::string Json(std::string_view s) {
  std::string out;
  AppendJsonString(out, s);
  return out;
}

std::string Terminal(std::string_view s, bool quote) {
  std::string out;
  AppendTerminalText(out, s, quote);
  return out;
}

// Parses `json` strictly (nlohmann rejects invalid UTF-8 in strings by throwing).
std::string ParseJsonString(const std::string& json) {
  return nlohmann::json::parse(json).get<std::string>();
}

TEST(JsonStringTest, EscapesQuotesBackslashesAndControls) {
  EXPECT_EQ(Json("plain"), R"("plain")");
  EXPECT_EQ(Json("a\"b\\c"), R"("a\"b\\c")");
  EXPECT_EQ(Json("\n\r\t\b\f"), R"("\n\r\t\b\f")");
  EXPECT_EQ(Json(std::string("\x00\x01\x1f", 3)), R"("\u0000\u0001\u001f")");
  EXPECT_EQ(Json(""), R"("")");
}

TEST(JsonStringTest, EveryAsciiByteRoundTrips) {
  std::string all;
  for (int c = 0; c < 0x80; ++c) all.push_back(static_cast<char>(c));
  EXPECT_EQ(ParseJsonString(Json(all)), all);
}

TEST(JsonStringTest, ValidMultibyteUtf8PassesThrough) {
  const std::string text = "h\xC3\xA9llo \xE2\x9C\x93 \xF0\x9F\x98\x80";  // héllo ✓ 😀
  EXPECT_EQ(Json(text), "\"" + text + "\"");
}

TEST(JsonStringTest, InvalidUtf8BecomesReplacementCharacters) {
  EXPECT_EQ(ParseJsonString(Json("a\xFF"
                                 "b")),
            "a" + kFffd + "b");
  // Truncated 3-byte sequence: one replacement for the maximal subpart.
  EXPECT_EQ(ParseJsonString(Json("\xE2\x82"
                                 "A")),
            kFffd + "A");
  EXPECT_EQ(ParseJsonString(Json("\xE2\x82")), kFffd);
  // Overlong '/', a UTF-16 surrogate, and a code point above U+10FFFF: one per byte.
  EXPECT_EQ(ParseJsonString(Json("\xC0\xAF")), kFffd + kFffd);
  EXPECT_EQ(ParseJsonString(Json("\xED\xA0\x80")), kFffd + kFffd + kFffd);
  EXPECT_EQ(ParseJsonString(Json("\xF4\x90\x80\x80")), kFffd + kFffd + kFffd + kFffd);
  // A lone continuation byte.
  EXPECT_EQ(ParseJsonString(Json("\x80")), kFffd);
}

// Random bytes mixed with pieces of valid and nearly valid UTF-8, so both paths are exercised.
std::string ArbitraryBytes() {
  const auto pieces = *rc::gen::container<std::vector<std::string>>(rc::gen::oneOf(
      rc::gen::map(rc::gen::inRange(0, 256),
                   [](int b) { return std::string(1, static_cast<char>(b)); }),
      rc::gen::element<std::string>("\xC3\xA9", "\xE2\x9C\x93", "\xF0\x9F\x98\x80", "\xED\x9F\xBF",
                                    "\xEF\xBF\xBF", "\xF4\x8F\xBF\xBF", "\xE2\x82", "\xF0\x9F",
                                    "\\", "\"")));
  std::string bytes;
  for (const std::string& piece : pieces) bytes += piece;
  return bytes;
}

RC_GTEST_PROP(JsonStringProperty, AnyBytesGiveValidJson, ()) {
  const std::string bytes = ArbitraryBytes();
  const std::string json = Json(bytes);
  std::string parsed;
  try {
    parsed = ParseJsonString(json);
  } catch (const std::exception& e) {
    RC_FAIL(std::string("not valid JSON: ") + e.what() + " in " + json);
  }
  // Sanitizing is idempotent and is what the JSON carries.
  RC_ASSERT(parsed == SanitizeUtf8(bytes));
  RC_ASSERT(SanitizeUtf8(parsed) == parsed);
}

TEST(SanitizeUtf8Test, KeepsValidAndReplacesInvalid) {
  EXPECT_EQ(SanitizeUtf8("ok \xE2\x9C\x93"), "ok \xE2\x9C\x93");
  EXPECT_EQ(SanitizeUtf8("x\xFEy"), "x" + kFffd + "y");
}

TEST(TerminalTextTest, EscapesControlCharactersSoTheTerminalIsSafe) {
  EXPECT_EQ(Terminal("\x1b[31mred", false), "\\x1b[31mred");
  EXPECT_EQ(Terminal("a\nb\tc\rd\x7f", false), "a\\nb\\tc\\rd\\x7f");
  EXPECT_EQ(Terminal("\xC2\x9B"
                     "2J",
                     false),
            "\\u009b2J");  // C1 CSI
  EXPECT_EQ(Terminal("bad\xFF", false), "bad" + kFffd);
}

TEST(TerminalTextTest, QuotesValuesOnlyWhenNeeded) {
  EXPECT_EQ(Terminal("simple", true), "simple");
  EXPECT_EQ(Terminal("12.5", true), "12.5");
  EXPECT_EQ(Terminal("", true), R"("")");
  EXPECT_EQ(Terminal("two words", true), R"("two words")");
  EXPECT_EQ(Terminal("a=b", true), R"("a=b")");
  EXPECT_EQ(Terminal(R"(say "hi" \o/)", true), R"("say \"hi\" \\o/")");
  EXPECT_EQ(Terminal("line\nbreak", true), R"("line\nbreak")");
  // Unquoted text keeps quotes and backslashes as they are.
  EXPECT_EQ(Terminal(R"(say "hi")", false), R"(say "hi")");
}

TEST(PrometheusEscapeTest, LabelValue) {
  std::string out;
  AppendPrometheusLabelValue(out, "a\\b\"c\nd\te");
  EXPECT_EQ(out, "a\\\\b\\\"c\\nd\te");
}

TEST(PrometheusEscapeTest, HelpKeepsQuotes) {
  std::string out;
  AppendPrometheusHelp(out, "say \"hi\"\\\nbye\xFF");
  EXPECT_EQ(out, "say \"hi\"\\\\\\nbye" + kFffd);
}

}  // namespace
}  // namespace novacron::observe
