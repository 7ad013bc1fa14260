#include "common/private_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace novacron {
namespace {

std::string Errno() { return std::strerror(errno); }

}  // namespace

Status EnsurePrivateDir(const std::filesystem::path& dir, mode_t mode) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    return FailedPrecondition("cannot create directory " + dir.string() + ": " + ec.message());
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) {
    return FailedPrecondition("cannot inspect " + dir.string() + ": " + Errno());
  }
  if ((st.st_mode & 07777) != mode && ::chmod(dir.c_str(), mode) != 0) {
    return FailedPrecondition("cannot set the mode of " + dir.string() + ": " + Errno());
  }
  return Status::Ok();
}

Status EnsurePrivateFile(const std::filesystem::path& file) {
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return FailedPrecondition("cannot open " + file.string() + ": " + Errno());
  struct stat st {};
  Status status;
  if (::fstat(fd, &st) != 0) {
    status = FailedPrecondition("cannot inspect " + file.string() + ": " + Errno());
  } else if ((st.st_mode & 077) != 0 && ::fchmod(fd, st.st_mode & 0700) != 0) {
    status = FailedPrecondition("cannot narrow the mode of " + file.string() + ": " + Errno());
  }
  ::close(fd);
  return status;
}

}  // namespace novacron
