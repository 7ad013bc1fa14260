// Reading private key files (see secret_file.h).
#include "security/secret_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "common/file_descriptor.h"

namespace novacron::security {
namespace {

std::string Errno() { return std::strerror(errno); }

std::string OctalMode(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

}  // namespace

Result<std::string> ReadPrivateFile(const std::string& path, size_t max_bytes) {
  FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
  if (fd.get() < 0) return NotFound("cannot open " + path + ": " + Errno());
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return Internal("cannot stat " + path + ": " + Errno());
  if (!S_ISREG(st.st_mode)) return InvalidArgument(path + " is not a regular file");
  if ((st.st_mode & 077) != 0) {
    return PermissionDenied(path + " has mode " + OctalMode(st.st_mode) +
                            ": a key file must not be accessible by group or others; run "
                            "`chmod 600 " +
                            path + "`");
  }
  if (static_cast<size_t>(st.st_size) > max_bytes) {
    return InvalidArgument(path + " is too large for a key file (" + std::to_string(st.st_size) +
                           " bytes)");
  }
  std::string content(static_cast<size_t>(st.st_size), '\0');
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::read(fd.get(), content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Internal("cannot read " + path + ": " + Errno());
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  content.resize(done);
  return content;
}

}  // namespace novacron::security
