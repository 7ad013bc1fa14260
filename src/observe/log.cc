#include "observe/log.h"

#include <cstdlib>
#include <utility>

namespace novacron::observe {

namespace internal {

struct LogCore {
  std::atomic<Level> level;
  std::shared_ptr<LogSink> sink;
  LogFormat format;  // kJson or kText
  bool color;
  std::function<std::chrono::system_clock::time_point()> clock;
};

}  // namespace internal

namespace {

class DiscardSink final : public LogSink {
 public:
  void Write(std::string_view) noexcept override {}
};

// Colours only for a human at a terminal who has not opted out (https://no-color.org).
bool WantColor(const LogSink& sink, LogFormat format) {
  if (format != LogFormat::kText || !sink.IsTerminal()) return false;
  const char* no_color = std::getenv("NO_COLOR");
  return no_color == nullptr || no_color[0] == '\0';
}

void SetSlotOrField(LogContext& context, const Field& field) {
  std::string* slot = nullptr;
  if (field.key == "component") slot = &context.component;
  if (field.key == "phase") slot = &context.phase;
  if (field.key == "node_id") slot = &context.node_id;
  if (slot != nullptr) {
    *slot = FieldValueText(field.value);
    return;
  }
  for (Field& existing : context.fields) {
    if (existing.key == field.key) {
      existing.value = field.value;
      return;
    }
  }
  context.fields.push_back(field);
}

}  // namespace

Logger::Logger() : Logger(LogOptions{}) {}

Logger::Logger(LogOptions options) : core_(std::make_shared<internal::LogCore>()) {
  core_->level.store(options.level, std::memory_order_relaxed);
  core_->sink = options.sink ? std::move(options.sink) : std::make_shared<FdSink>(options.fd);
  core_->format = options.format;
  if (core_->format == LogFormat::kAuto) {
    core_->format = core_->sink->IsTerminal() ? LogFormat::kText : LogFormat::kJson;
  }
  core_->color = WantColor(*core_->sink, core_->format);
  core_->clock = std::move(options.clock);
  level_ = &core_->level;
  auto context = std::make_shared<LogContext>();
  context->node_id = std::move(options.node_id);
  context_ = std::move(context);
}

Logger Logger::Discard() {
  Logger logger(LogOptions{.format = LogFormat::kJson, .sink = std::make_shared<DiscardSink>()});
  // Above every level, so nothing is even formatted.
  logger.SetLevel(static_cast<Level>(static_cast<uint8_t>(Level::kError) + 1));
  return logger;
}

Logger Logger::With(const Fields& context) const {
  Logger child = *this;
  auto merged = std::make_shared<LogContext>(*context_);
  for (const Field& field : context) SetSlotOrField(*merged, field);
  child.context_ = std::move(merged);
  return child;
}

LogFormat Logger::format() const { return core_->format; }

void Logger::Write(Level level, std::string_view msg, std::span<const Field> fields) const {
  try {
    const LogRecord record{
        .time = core_->clock ? core_->clock() : std::chrono::system_clock::now(),
        .level = level,
        .msg = msg,
        .context = context_.get(),
        .fields = fields,
    };
    std::string line;
    line.reserve(256);
    if (core_->format == LogFormat::kText) {
      AppendTextLine(line, record, core_->color);
    } else {
      AppendJsonLine(line, record);
    }
    core_->sink->Write(line);
  } catch (...) {
    // Out of memory or a throwing clock: the line is lost, the caller carries on.
  }
}

}  // namespace novacron::observe
