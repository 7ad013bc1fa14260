#include "config/issue.h"

#include <algorithm>

namespace novacron::config {

std::string Source::ToString() const {
  return encrypted ? Describe() + " (encrypted)" : Describe();
}

std::string Source::Describe() const {
  switch (kind) {
    case SourceKind::kDefault:
      return name.empty() ? "default" : "default (" + name + ")";
    case SourceKind::kFile: {
      std::string out = line > 0 ? name + ":" + std::to_string(line) : name;
      if (!variable.empty()) out += " (${" + variable + "})";
      return out;
    }
    case SourceKind::kEnv:
      return "env " + name;
    case SourceKind::kFlag:
      return name;
  }
  return name;
}

std::string Source::Where() const {
  if (kind == SourceKind::kFile) {
    std::string out = name;
    if (line > 0) out.append(":").append(std::to_string(line));
    if (line > 0 && column > 0) out.append(":").append(std::to_string(column));
    return out;
  }
  return Describe();
}

std::string FormatIssue(const ConfigIssue& issue) {
  std::string out = issue.severity == Severity::kWarning ? "warning: " : "";
  // Flags read as typed: "--set system.log_level: ..."; other sources end with ':'.
  bool flag = issue.source.rfind("--", 0) == 0 && !issue.key.empty();
  if (!issue.source.empty()) out += issue.source + (flag ? " " : ": ");
  if (!issue.key.empty()) out += issue.key + ": ";
  out += issue.message;
  return out;
}

std::string FormatIssues(const std::vector<ConfigIssue>& issues) {
  std::string out;
  for (const ConfigIssue& issue : issues) out += FormatIssue(issue) + "\n";
  return out;
}

bool HasErrors(const std::vector<ConfigIssue>& issues) {
  return std::any_of(issues.begin(), issues.end(),
                     [](const ConfigIssue& i) { return i.severity == Severity::kError; });
}

Status IssuesToStatus(const std::vector<ConfigIssue>& issues) {
  size_t errors = std::count_if(issues.begin(), issues.end(), [](const ConfigIssue& i) {
    return i.severity == Severity::kError;
  });
  if (errors == 0) return Status::Ok();
  std::string header = "invalid configuration (" + std::to_string(errors) +
                       (errors == 1 ? " error" : " errors") + "):\n";
  return InvalidArgument(header + FormatIssues(issues));
}

}  // namespace novacron::config
