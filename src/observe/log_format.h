// Turns one log record into one line: JSON (for machines) or text (for a terminal).
// Used by Logger; exposed for tests and for tools that format records themselves.
#pragma once

#include <chrono>
#include <span>
#include <string>
#include <string_view>

#include "observe/field.h"
#include "observe/level.h"

namespace novacron::observe {

// Fields a logger adds to every line (see Logger::With).
struct LogContext {
  std::string component{};
  std::string phase{};
  std::string node_id{};
  Fields fields{};  // free fields, in the order they were added
};

struct LogRecord {
  std::chrono::system_clock::time_point time{};
  Level level = Level::kInfo;
  std::string_view msg;
  const LogContext* context = nullptr;  // may be null
  std::span<const Field> fields{};      // this call's fields
};

// Key order: time, level, msg, component, phase, node_id (each when non-empty), the context's
// free fields, then the call's fields. A call field overrides the context field of the same key
// (component, phase and node_id included); free fields named time, level or msg are emitted as
// field_time, field_level, field_msg so that every line has exactly one of each key.

// {"time":"2026-11-25T01:19:00.123Z","level":"info","msg":"started","component":"database",...}\n
void AppendJsonLine(std::string& out, const LogRecord& record);

// 01:19:00.123 INFO  [database] started  phase=core duration_ms=12 attempts=1\n
// (UTC, like the JSON time; node_id is left out: a terminal shows one node). With `color`, the
// level is coloured with ANSI escapes.
void AppendTextLine(std::string& out, const LogRecord& record, bool color);

// The value as plain text, unquoted: 12, -3, 0.5, NaN, true, the string itself.
std::string FieldValueText(const FieldValue& value);

// 2026-11-25T01:19:00.123Z
std::string FormatRfc3339Millis(std::chrono::system_clock::time_point time);

}  // namespace novacron::observe
