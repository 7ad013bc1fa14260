// Test helper for the secrets tests: a unique directory (mkdtemp under $TMPDIR), removed with
// everything in it, and files written with a chosen mode.
#pragma once

#include <stdlib.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace novacron::security {

class SecretTempDirForTest {
 public:
  SecretTempDirForTest() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base != nullptr && *base != '\0' ? base : "/tmp") +
                          "/novacron-secrets-test-XXXXXX";
    if (mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~SecretTempDirForTest() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  SecretTempDirForTest(const SecretTempDirForTest&) = delete;
  SecretTempDirForTest& operator=(const SecretTempDirForTest&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string Write(const std::string& name, const std::string& content, mode_t mode = 0600) const {
    std::filesystem::path file = path_ / name;
    std::ofstream(file, std::ios::binary | std::ios::trunc) << content;
    ::chmod(file.c_str(), mode);
    return file.string();
  }
  static std::string Read(const std::string& file) {
    std::ifstream in(file, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  static mode_t Mode(const std::string& file) {
    struct stat st {};
    ::stat(file.c_str(), &st);
    return st.st_mode & 07777;
  }

 private:
  std::filesystem::path path_;
};

}  // namespace novacron::security
