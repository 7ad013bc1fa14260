#include "observe/level.h"

#include <algorithm>
#include <cctype>
#include <string>

namespace novacron::observe {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

std::string_view LevelName(Level level) {
  switch (level) {
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarn:
      return "warn";
    case Level::kError:
      return "error";
  }
  return "unknown";
}

Result<Level> ParseLevel(std::string_view name) {
  const std::string lower = Lower(name);
  if (lower == "debug") return Level::kDebug;
  if (lower == "info") return Level::kInfo;
  if (lower == "warn" || lower == "warning") return Level::kWarn;
  if (lower == "error") return Level::kError;
  return InvalidArgument("unknown log level '" + std::string(name) +
                         "' (want debug, info, warn or error)");
}

std::string_view LogFormatName(LogFormat format) {
  switch (format) {
    case LogFormat::kAuto:
      return "auto";
    case LogFormat::kJson:
      return "json";
    case LogFormat::kText:
      return "text";
  }
  return "unknown";
}

Result<LogFormat> ParseLogFormat(std::string_view name) {
  const std::string lower = Lower(name);
  if (lower == "auto") return LogFormat::kAuto;
  if (lower == "json") return LogFormat::kJson;
  if (lower == "text") return LogFormat::kText;
  return InvalidArgument("unknown log format '" + std::string(name) +
                         "' (want auto, json or text)");
}

}  // namespace novacron::observe
