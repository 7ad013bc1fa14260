// Log levels and output formats, with their names as they appear in configuration and logs.
#pragma once

#include <cstdint>
#include <string_view>

#include "common/status.h"

namespace novacron::observe {

enum class Level : uint8_t { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

// "debug", "info", "warn", "error".
std::string_view LevelName(Level level);
// Case-insensitive; accepts "warning" for warn.
Result<Level> ParseLevel(std::string_view name);

// kAuto: text when the sink is a terminal, JSON lines otherwise.
enum class LogFormat : uint8_t { kAuto, kJson, kText };

// "auto", "json", "text".
std::string_view LogFormatName(LogFormat format);
Result<LogFormat> ParseLogFormat(std::string_view name);

}  // namespace novacron::observe
