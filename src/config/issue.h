// Where a configuration value came from, and what is wrong with one.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "common/status.h"

namespace novacron::config {

enum class SourceKind { kDefault, kFile, kEnv, kFlag };

struct Source {
  SourceKind kind = SourceKind::kDefault;
  // kFile: the file name as given; kEnv: the variable (NOVACRON_X); kFlag: "--set", "--listen"...
  // kDefault: empty, or what a machine-dependent default was computed from.
  std::string name;
  int line = 0;  // kFile, 1-based; 0 if unknown
  int column = 0;
  // Set when a file value was taken from ${VAR}.
  std::string variable;
  // The value was an enc:v1: value, decrypted at load (docs/security.md): never shown.
  bool encrypted = false;

  static Source Default(std::string what = "") { return Make(SourceKind::kDefault, what); }
  static Source File(std::string file) { return Make(SourceKind::kFile, file); }
  static Source Env(std::string variable) { return Make(SourceKind::kEnv, variable); }
  static Source Flag(std::string flag) { return Make(SourceKind::kFlag, flag); }

  // "novacron.yaml:12", "env NOVACRON_X", "--set", "default": for `config show`; encrypted
  // values add " (encrypted)".
  std::string ToString() const;
  // "novacron.yaml:12:5" (with the column): the prefix of an issue.
  std::string Where() const;

 private:
  std::string Describe() const;  // ToString without " (encrypted)"
  static Source Make(SourceKind kind, std::string& name) {
    Source s;
    s.kind = kind;
    s.name = std::move(name);
    return s;
  }
};

enum class Severity { kError, kWarning };

struct ConfigIssue {
  std::string source;  // Source::Where(): "novacron.yaml:12:5", "env NOVACRON_X", "--set"
  std::string key;     // dotted key path, or empty when the issue is not about one key
  std::string message;
  Severity severity = Severity::kError;
};

// "novacron.yaml:12:5: system.max_concurrency: expected an integer, got \"abc\"";
// warnings start with "warning: ".
std::string FormatIssue(const ConfigIssue& issue);
// One issue per line, in order, each line ending in '\n'.
std::string FormatIssues(const std::vector<ConfigIssue>& issues);
bool HasErrors(const std::vector<ConfigIssue>& issues);
// kInvalidArgument whose message is "invalid configuration (N errors):\n" + FormatIssues(issues),
// or OK when there are no errors.
Status IssuesToStatus(const std::vector<ConfigIssue>& issues);

}  // namespace novacron::config
