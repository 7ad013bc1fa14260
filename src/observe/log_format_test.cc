#include "observe/log_format.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <vector>

namespace novacron::observe {
namespace {

using namespace std::chrono_literals;
using namespace std::string_literals;
using std::chrono::system_clock;

// 2026-11-25T01:19:00.123456Z
system_clock::time_point ExampleTime() {
  return std::chrono::sys_days{std::chrono::year{2026} / 11 / 25} + 1h + 19min + 123456us;
}

std::string JsonLine(const LogRecord& record) {
  std::string out;
  AppendJsonLine(out, record);
  return out;
}

std::string TextLine(const LogRecord& record, bool color = false) {
  std::string out;
  AppendTextLine(out, record, color);
  return out;
}

std::vector<std::string> Keys(const std::string& line) {
  std::vector<std::string> keys;
  const auto json = nlohmann::ordered_json::parse(line);
  for (const auto& [key, value] : json.items()) keys.push_back(key);
  return keys;
}

TEST(Rfc3339Test, UtcWithMillisecondsTruncated) {
  EXPECT_EQ(FormatRfc3339Millis(ExampleTime()), "2026-11-25T01:19:00.123Z");
  EXPECT_EQ(FormatRfc3339Millis(system_clock::time_point{}), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatRfc3339Millis(std::chrono::sys_days{std::chrono::year{1999} / 12 / 31} + 23h +
                                59min + 59s + 999999us),
            "1999-12-31T23:59:59.999Z");
}

TEST(JsonLineTest, ExactLineWithContextAndFields) {
  LogContext context{
      .component = "database", .phase = "core", .node_id = "n1", .fields = {{"zone", "a"}}};
  const std::vector<Field> fields = {{"duration_ms", 12}, {"ok", true}, {"ratio", 0.5}};
  const LogRecord record{ExampleTime(), Level::kInfo, "started", &context, fields};
  EXPECT_EQ(JsonLine(record),
            R"({"time":"2026-11-25T01:19:00.123Z","level":"info","msg":"started",)"
            R"("component":"database","phase":"core","node_id":"n1","zone":"a",)"
            R"("duration_ms":12,"ok":true,"ratio":0.5})"
            "\n");
}

TEST(JsonLineTest, MinimalLineHasOnlyTimeLevelMsg) {
  const LogRecord record{ExampleTime(), Level::kError, "boom", nullptr, {}};
  EXPECT_EQ(JsonLine(record),
            "{\"time\":\"2026-11-25T01:19:00.123Z\",\"level\":\"error\",\"msg\":\"boom\"}\n");
}

TEST(JsonLineTest, NumbersOfEveryKind) {
  const std::vector<Field> fields = {
      {"neg", -3},
      {"max_u64", std::numeric_limits<uint64_t>::max()},
      {"min_i64", std::numeric_limits<int64_t>::min()},
      {"tiny", 2.5e-7},
      {"nan", std::nan("")},
      {"inf", std::numeric_limits<double>::infinity()},
  };
  const LogRecord record{ExampleTime(), Level::kDebug, "n", nullptr, fields};
  const auto json = nlohmann::json::parse(JsonLine(record));
  EXPECT_EQ(json["neg"].get<int64_t>(), -3);
  EXPECT_EQ(json["max_u64"].get<uint64_t>(), std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(json["min_i64"].get<int64_t>(), std::numeric_limits<int64_t>::min());
  EXPECT_DOUBLE_EQ(json["tiny"].get<double>(), 2.5e-7);
  // JSON has no NaN or infinity; they travel as strings.
  EXPECT_EQ(json["nan"], "NaN");
  EXPECT_EQ(json["inf"], "+Inf");
}

TEST(JsonLineTest, CallFieldsOverrideContext) {
  LogContext context{.component = "engine", .fields = {{"attempt", 1}, {"zone", "a"}}};
  const std::vector<Field> fields = {{"component", "cache"}, {"attempt", 2}};
  const LogRecord record{ExampleTime(), Level::kWarn, "retry", &context, fields};
  const std::string line = JsonLine(record);
  EXPECT_EQ(Keys(line),
            (std::vector<std::string>{"time", "level", "msg", "component", "zone", "attempt"}));
  const auto json = nlohmann::json::parse(line);
  EXPECT_EQ(json["component"], "cache");
  EXPECT_EQ(json["attempt"], 2);
}

TEST(JsonLineTest, ReservedKeysAreRenamedNotDuplicated) {
  const std::vector<Field> fields = {{"msg", "spoof"}, {"level", "error"}, {"time", 0}};
  const LogRecord record{ExampleTime(), Level::kInfo, "real", nullptr, fields};
  const std::string line = JsonLine(record);
  EXPECT_EQ(Keys(line), (std::vector<std::string>{"time", "level", "msg", "field_msg",
                                                  "field_level", "field_time"}));
  const auto json = nlohmann::json::parse(line);
  EXPECT_EQ(json["msg"], "real");
  EXPECT_EQ(json["level"], "info");
}

TEST(JsonLineTest, HostileStringsStayOneValidLine) {
  const std::string hostile = "\"},{\"level\":\"error\n\r\x1b[2J\x00\xFF\xC0\xAF"s;
  LogContext context{.component = hostile};
  const std::vector<Field> fields = {{hostile, hostile}};
  const LogRecord record{ExampleTime(), Level::kInfo, hostile, &context, fields};
  const std::string line = JsonLine(record);
  ASSERT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1);
  const auto json = nlohmann::json::parse(line);
  EXPECT_EQ(json["level"], "info");
  EXPECT_EQ(json.size(), 5u);  // time, level, msg, component, the hostile key
  EXPECT_EQ(json["msg"].get<std::string>().substr(0, 19), "\"},{\"level\":\"error\n");
}

TEST(TextLineTest, MatchesTheReadableShape) {
  LogContext context{.component = "database", .node_id = "n1"};
  const std::vector<Field> fields = {{"duration_ms", 12}, {"attempts", 1}};
  const LogRecord record{ExampleTime(), Level::kInfo, "started", &context, fields};
  EXPECT_EQ(TextLine(record), "01:19:00.123 INFO  [database] started  duration_ms=12 attempts=1\n");
}

TEST(TextLineTest, PhaseQuotingAndNoComponent) {
  LogContext context{.phase = "core"};
  const std::vector<Field> fields = {{"error", "connection refused"}, {"ok", false}};
  const LogRecord record{ExampleTime(), Level::kError, "open failed", &context, fields};
  EXPECT_EQ(TextLine(record),
            "01:19:00.123 ERROR open failed  phase=core error=\"connection refused\" ok=false\n");
}

TEST(TextLineTest, ColourOnlyAroundTheLevel) {
  const LogRecord record{ExampleTime(), Level::kWarn, "hot", nullptr, {}};
  EXPECT_EQ(TextLine(record, /*color=*/true), "01:19:00.123 \x1b[33mWARN \x1b[0m hot\n");
}

TEST(TextLineTest, HostileMessageCannotInjectEscapesOrLines) {
  const LogRecord record{ExampleTime(), Level::kInfo, "a\nb\x1b[2J", nullptr, {}};
  EXPECT_EQ(TextLine(record), "01:19:00.123 INFO  a\\nb\\x1b[2J\n");
}

TEST(FieldValueTextTest, AllKinds) {
  EXPECT_EQ(FieldValueText(FieldValue{std::string("s")}), "s");
  EXPECT_EQ(FieldValueText(FieldValue{int64_t{-4}}), "-4");
  EXPECT_EQ(FieldValueText(FieldValue{uint64_t{4}}), "4");
  EXPECT_EQ(FieldValueText(FieldValue{0.25}), "0.25");
  EXPECT_EQ(FieldValueText(FieldValue{true}), "true");
}

TEST(FieldTest, ConvenientConstruction) {
  const Fields fields = {{"i", 2},     {"u", size_t{3}},         {"b", true},
                         {"d", 1.5f},  {"s", std::string("x")},  {"sv", std::string_view("y")},
                         {"c", "lit"}, {"err", NotFound("vm 7")}};
  EXPECT_EQ(std::get<int64_t>(fields[0].value), 2);
  EXPECT_EQ(std::get<uint64_t>(fields[1].value), 3u);
  EXPECT_EQ(std::get<bool>(fields[2].value), true);
  EXPECT_EQ(std::get<double>(fields[3].value), 1.5);
  EXPECT_EQ(std::get<std::string>(fields[4].value), "x");
  EXPECT_EQ(std::get<std::string>(fields[5].value), "y");
  EXPECT_EQ(std::get<std::string>(fields[6].value), "lit");
  EXPECT_EQ(std::get<std::string>(fields[7].value), "vm 7");
}

}  // namespace
}  // namespace novacron::observe
