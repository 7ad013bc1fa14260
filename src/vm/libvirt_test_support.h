// Helpers for the driver tests: a temp dir removed afterwards and fresh UUIDs.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <random>
#include <string>

namespace novacron::vm::testing {

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "novacron-vm-XXXXXX").string();
    path_ = mkdtemp(pattern.data()) ? pattern : "";
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A random version-4 UUID in canonical form.
inline std::string NewUuid() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  const char* hex = "0123456789abcdef";
  std::string uuid;
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) uuid += '-';
    int digit = static_cast<int>(rng() % 16);
    if (i == 12) digit = 4;
    if (i == 16) digit = 8 | (digit & 3);
    uuid += hex[digit];
  }
  return uuid;
}

}  // namespace novacron::vm::testing
