#include "common/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>

#include "common/file_descriptor.h"

namespace novacron {
namespace {

std::string Errno() { return std::strerror(errno); }

bool WriteAll(int fd, std::string_view content) {
  while (!content.empty()) {
    ssize_t n = ::write(fd, content.data(), content.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    content.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

std::string TempName(const std::filesystem::path& target) {
  std::random_device random;
  char suffix[24];
  std::snprintf(suffix, sizeof suffix, ".tmp-%08x", random());
  return (target.parent_path() / ("." + target.filename().string() + suffix)).string();
}

}  // namespace

Status WriteFileAtomically(const std::string& path, std::string_view content,
                           const AtomicWriteOptions& options) {
  std::filesystem::path target(path);
  if (target.filename().empty()) return InvalidArgument(path + " names a directory, not a file");
  std::string temp = TempName(target);
  FileDescriptor fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (fd.get() < 0) {
    return Internal("cannot create a temporary file beside " + path + ": " + Errno());
  }
  auto fail = [&](std::string what) {
    std::string reason = Errno();
    fd.Close();
    ::unlink(temp.c_str());
    return Internal("cannot write " + path + ": " + what + ": " + reason);
  };
  if (::fchmod(fd.get(), options.mode) != 0) return fail("chmod");
  if (!WriteAll(fd.get(), content)) return fail("write");
  if (::fsync(fd.get()) != 0) return fail("fsync");
  if (!fd.Close()) return fail("close");
  if (options.overwrite) {
    if (::rename(temp.c_str(), path.c_str()) != 0) {
      std::string reason = Errno();
      ::unlink(temp.c_str());
      return Internal("cannot replace " + path + ": " + reason);
    }
  } else {
    // link() fails with EEXIST instead of replacing: no window between a check and the write.
    if (::link(temp.c_str(), path.c_str()) != 0) {
      int error = errno;
      ::unlink(temp.c_str());
      if (error == EEXIST) {
        return AlreadyExists(path + " already exists");
      }
      return Internal("cannot create " + path + ": " + std::strerror(error));
    }
    ::unlink(temp.c_str());
  }
  // The rename is durable only once the directory is on disk.
  std::string dir = target.parent_path().empty() ? "." : target.parent_path().string();
  FileDescriptor dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir_fd.get() >= 0) ::fsync(dir_fd.get());
  return Status::Ok();
}

}  // namespace novacron
