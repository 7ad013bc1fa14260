// The structured logger: one JSON object per line (or readable text on a terminal), written with
// one write(2) per line. Cheap when a level is off: the check happens before any formatting.
//
//   Logger root(LogOptions{.level = Level::kInfo, .node_id = "node-1"});
//   Logger log = root.With({{"component", "database"}, {"phase", "core"}});
//   log.Info("started", {{"duration_ms", 12}, {"attempts", 1}});
//   log.Warn("retrying", {{"attempt", 2}, {"error", status}});
//   root.SetLevel(Level::kDebug);  // e.g. on SIGHUP; affects every logger derived from root
#pragma once

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "observe/field.h"
#include "observe/level.h"
#include "observe/log_format.h"
#include "observe/log_sink.h"

namespace novacron::observe {

struct LogOptions {
  int fd = STDERR_FILENO;  // where lines go when `sink` is null; not owned
  LogFormat format = LogFormat::kAuto;
  Level level = Level::kInfo;
  std::string node_id{};            // on every line, when set
  std::shared_ptr<LogSink> sink{};  // overrides `fd` (tests, custom destinations)
  // Time source for the `time` field; null means the system clock. For tests.
  std::function<std::chrono::system_clock::time_point()> clock{};
};

namespace internal {
struct LogCore;  // the sink, format and level shared by a logger and its children
}  // namespace internal

// Copyable and cheap to pass around; all copies and children (With) share the sink and the level.
// Every method is thread-safe and none throws.
class Logger {
 public:
  // Info level, stderr, text on a terminal and JSON otherwise.
  Logger();
  explicit Logger(LogOptions options);

  // A logger whose lines go nowhere; for code under test that needs one.
  static Logger Discard();

  // Fields are built before the call even when the level is off; guard costly ones with
  // `if (log.Enabled(Level::kDebug))`.
  bool Enabled(Level level) const { return level >= level_->load(std::memory_order_relaxed); }

  void Log(Level level, std::string_view msg, std::initializer_list<Field> fields = {}) const {
    if (Enabled(level)) Write(level, msg, std::span<const Field>(fields.begin(), fields.size()));
  }
  void Log(Level level, std::string_view msg, const Fields& fields) const {
    if (Enabled(level)) Write(level, msg, fields);
  }

  void Debug(std::string_view msg, std::initializer_list<Field> fields = {}) const {
    Log(Level::kDebug, msg, fields);
  }
  void Debug(std::string_view msg, const Fields& fields) const { Log(Level::kDebug, msg, fields); }
  void Info(std::string_view msg, std::initializer_list<Field> fields = {}) const {
    Log(Level::kInfo, msg, fields);
  }
  void Info(std::string_view msg, const Fields& fields) const { Log(Level::kInfo, msg, fields); }
  void Warn(std::string_view msg, std::initializer_list<Field> fields = {}) const {
    Log(Level::kWarn, msg, fields);
  }
  void Warn(std::string_view msg, const Fields& fields) const { Log(Level::kWarn, msg, fields); }
  void Error(std::string_view msg, std::initializer_list<Field> fields = {}) const {
    Log(Level::kError, msg, fields);
  }
  void Error(std::string_view msg, const Fields& fields) const { Log(Level::kError, msg, fields); }

  // A child logger that adds `context` to every line: component, phase and node_id go to their
  // fixed places, other keys follow them; a key given again replaces the earlier value.
  Logger With(const Fields& context) const;

  // Changes the level of this logger, its copies, its parent and all their children (one shared
  // level), atomically.
  void SetLevel(Level level) const { level_->store(level, std::memory_order_relaxed); }
  Level level() const { return level_->load(std::memory_order_relaxed); }
  // The format in use: kJson or kText (kAuto is resolved at construction).
  LogFormat format() const;

 private:
  void Write(Level level, std::string_view msg, std::span<const Field> fields) const;

  std::shared_ptr<internal::LogCore> core_;
  std::atomic<Level>* level_;  // inside *core_; kept here so Enabled() is inline
  std::shared_ptr<const LogContext> context_;
};

}  // namespace novacron::observe
