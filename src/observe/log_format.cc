#include "observe/log_format.h"

#include <charconv>
#include <cmath>
#include <string>

#include "common/json_string.h"
#include "observe/escape.h"

namespace novacron::observe {
namespace {

using std::chrono::system_clock;

enum class Slot { kNone, kComponent, kPhase, kNodeId };

Slot SlotOf(std::string_view key) {
  if (key == "component") return Slot::kComponent;
  if (key == "phase") return Slot::kPhase;
  if (key == "node_id") return Slot::kNodeId;
  return Slot::kNone;
}

bool IsReservedKey(std::string_view key) { return key == "time" || key == "level" || key == "msg"; }

void AppendDigits(std::string& out, int value, int width) {
  char buf[16];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  for (int pad = width - static_cast<int>(end - buf); pad > 0; --pad) out.push_back('0');
  out.append(buf, end);
}

template <typename T>
void AppendNumber(std::string& out, T value) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  out.append(buf, end);
}

// Non-finite doubles have no JSON number form; both formats spell them the Prometheus way.
bool AppendDouble(std::string& out, double value) {
  if (std::isnan(value)) {
    out.append("NaN");
    return false;
  }
  if (std::isinf(value)) {
    out.append(value > 0 ? "+Inf" : "-Inf");
    return false;
  }
  AppendNumber(out, value);
  return true;
}

void AppendJsonValue(std::string& out, const FieldValue& value) {
  if (const auto* s = std::get_if<std::string>(&value)) {
    AppendJsonString(out, *s);
  } else if (const auto* d = std::get_if<double>(&value)) {
    std::string text;
    if (AppendDouble(text, *d)) {
      out.append(text);
    } else {
      AppendJsonString(out, text);
    }
  } else {
    out.append(FieldValueText(value));
  }
}

void AppendTextValue(std::string& out, const FieldValue& value) {
  if (const auto* s = std::get_if<std::string>(&value)) {
    AppendTerminalText(out, *s, /*quote_if_needed=*/true);
  } else {
    out.append(FieldValueText(value));
  }
}

// The record with call fields merged into the context: which component, phase and node id the
// line is about, and the free fields in output order.
class MergedFields {
 public:
  explicit MergedFields(const LogRecord& record) : record_(record) {
    if (record.context != nullptr) {
      component_ = record.context->component;
      phase_ = record.context->phase;
      node_id_ = record.context->node_id;
    }
    for (const Field& f : record.fields) {
      switch (SlotOf(f.key)) {
        case Slot::kComponent:
          component_ = Override(component_storage_, f.value);
          break;
        case Slot::kPhase:
          phase_ = Override(phase_storage_, f.value);
          break;
        case Slot::kNodeId:
          node_id_ = Override(node_id_storage_, f.value);
          break;
        case Slot::kNone:
          break;
      }
    }
  }

  std::string_view component() const { return component_; }
  std::string_view phase() const { return phase_; }
  std::string_view node_id() const { return node_id_; }

  // Calls fn(key, value) for each free field: the context's (unless the call overrides them),
  // then the call's.
  template <typename Fn>
  void ForEachFree(Fn fn) const {
    if (record_.context != nullptr) {
      for (const Field& f : record_.context->fields) {
        if (!CallHas(f.key)) fn(f.key, f.value);
      }
    }
    for (const Field& f : record_.fields) {
      if (SlotOf(f.key) == Slot::kNone) fn(f.key, f.value);
    }
  }

 private:
  static std::string_view Override(std::string& storage, const FieldValue& value) {
    if (const auto* s = std::get_if<std::string>(&value)) return *s;
    storage = FieldValueText(value);
    return storage;
  }

  bool CallHas(std::string_view key) const {
    for (const Field& f : record_.fields) {
      if (f.key == key) return true;
    }
    return false;
  }

  const LogRecord& record_;
  std::string_view component_, phase_, node_id_;
  std::string component_storage_, phase_storage_, node_id_storage_;
};

void AppendJsonKey(std::string& out, std::string_view key) {
  out.push_back(',');
  if (IsReservedKey(key)) {
    AppendJsonString(out, "field_" + std::string(key));
  } else {
    AppendJsonString(out, key);
  }
  out.push_back(':');
}

void AppendClock(std::string& out, system_clock::time_point time) {
  const auto ms = std::chrono::floor<std::chrono::milliseconds>(time);
  const auto day = std::chrono::floor<std::chrono::days>(ms);
  const std::chrono::hh_mm_ss hms(ms - day);
  AppendDigits(out, static_cast<int>(hms.hours().count()), 2);
  out.push_back(':');
  AppendDigits(out, static_cast<int>(hms.minutes().count()), 2);
  out.push_back(':');
  AppendDigits(out, static_cast<int>(hms.seconds().count()), 2);
  out.push_back('.');
  AppendDigits(out, static_cast<int>(hms.subseconds().count()), 3);
}

void AppendRfc3339Millis(std::string& out, system_clock::time_point time) {
  const auto day = std::chrono::floor<std::chrono::days>(time);
  const std::chrono::year_month_day ymd(day);
  AppendDigits(out, static_cast<int>(ymd.year()), 4);
  out.push_back('-');
  AppendDigits(out, static_cast<int>(static_cast<unsigned>(ymd.month())), 2);
  out.push_back('-');
  AppendDigits(out, static_cast<int>(static_cast<unsigned>(ymd.day())), 2);
  out.push_back('T');
  AppendClock(out, time);
  out.push_back('Z');
}

std::string_view TextLevel(Level level) {
  switch (level) {
    case Level::kDebug:
      return "DEBUG";
    case Level::kInfo:
      return "INFO ";
    case Level::kWarn:
      return "WARN ";
    case Level::kError:
      return "ERROR";
  }
  return "?????";
}

std::string_view LevelColor(Level level) {
  switch (level) {
    case Level::kDebug:
      return "\x1b[90m";  // grey
    case Level::kInfo:
      return "\x1b[32m";  // green
    case Level::kWarn:
      return "\x1b[33m";  // yellow
    case Level::kError:
      return "\x1b[31m";  // red
  }
  return "";
}

}  // namespace

void AppendJsonLine(std::string& out, const LogRecord& record) {
  const MergedFields merged(record);
  out.append("{\"time\":\"");
  AppendRfc3339Millis(out, record.time);
  out.append("\",\"level\":\"");
  out.append(LevelName(record.level));
  out.append("\",\"msg\":");
  AppendJsonString(out, record.msg);
  const std::pair<std::string_view, std::string_view> slots[] = {
      {"component", merged.component()},
      {"phase", merged.phase()},
      {"node_id", merged.node_id()},
  };
  for (const auto& [key, value] : slots) {
    if (value.empty()) continue;
    AppendJsonKey(out, key);
    AppendJsonString(out, value);
  }
  merged.ForEachFree([&](std::string_view key, const FieldValue& value) {
    AppendJsonKey(out, key);
    AppendJsonValue(out, value);
  });
  out.append("}\n");
}

void AppendTextLine(std::string& out, const LogRecord& record, bool color) {
  const MergedFields merged(record);
  AppendClock(out, record.time);
  out.push_back(' ');
  if (color) out.append(LevelColor(record.level));
  out.append(TextLevel(record.level));
  if (color) out.append("\x1b[0m");
  out.push_back(' ');
  if (!merged.component().empty()) {
    out.push_back('[');
    AppendTerminalText(out, merged.component(), /*quote_if_needed=*/false);
    out.append("] ");
  }
  AppendTerminalText(out, record.msg, /*quote_if_needed=*/false);
  bool first = true;
  auto append_field = [&](std::string_view key, auto&& append_value) {
    out.append(first ? "  " : " ");
    first = false;
    AppendTerminalText(out, key, /*quote_if_needed=*/true);
    out.push_back('=');
    append_value();
  };
  if (!merged.phase().empty()) {
    append_field("phase", [&] { AppendTerminalText(out, merged.phase(), true); });
  }
  merged.ForEachFree([&](std::string_view key, const FieldValue& value) {
    append_field(key, [&] { AppendTextValue(out, value); });
  });
  out.push_back('\n');
}

std::string FieldValueText(const FieldValue& value) {
  std::string out;
  if (const auto* s = std::get_if<std::string>(&value)) return *s;
  if (const auto* i = std::get_if<int64_t>(&value)) AppendNumber(out, *i);
  if (const auto* u = std::get_if<uint64_t>(&value)) AppendNumber(out, *u);
  if (const auto* d = std::get_if<double>(&value)) AppendDouble(out, *d);
  if (const auto* b = std::get_if<bool>(&value)) out = *b ? "true" : "false";
  return out;
}

std::string FormatRfc3339Millis(system_clock::time_point time) {
  std::string out;
  AppendRfc3339Millis(out, time);
  return out;
}

}  // namespace novacron::observe
