// Helpers for the audit log tests: a temporary data dir and whole-file line edits.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "security/audit_log.h"

namespace novacron::security::testing {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "novacron-audit-XXXXXX").string();
    char* made = ::mkdtemp(tmpl.data());
    EXPECT_NE(made, nullptr);
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline std::string ReadAll(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void WriteAll(const std::filesystem::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << text;
}

// The lines of a file, without their '\n'.
inline std::vector<std::string> Lines(const std::filesystem::path& p) {
  std::vector<std::string> lines;
  std::istringstream in(ReadAll(p));
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  return lines;
}

inline void WriteLines(const std::filesystem::path& p, const std::vector<std::string>& lines) {
  std::string text;
  for (const auto& l : lines) text += l + "\n";
  WriteAll(p, text);
}

inline AuditEvent Event(int i, std::string actor = "ci") {
  return {.actor = std::move(actor),
          .role = "operator",
          .action = "vm.create",
          .target = "vms/web" + std::to_string(i),
          .result = "ok",
          .http_status = 201,
          .remote = "127.0.0.1:5000",
          .request_id = "r-" + std::to_string(i)};
}

// Opens a log in `dir` and appends `n` events.
inline void AppendEvents(const std::filesystem::path& dir, int n, int64_t rotate_bytes = 1 << 20) {
  auto log = AuditLog::Open({.dir = dir, .rotate_bytes = rotate_bytes});
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  for (int i = 1; i <= n; ++i) {
    Status s = (*log)->Append(Event(i));
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
}

}  // namespace novacron::security::testing
