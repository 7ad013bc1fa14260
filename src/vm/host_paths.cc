// Host path rules of a VM spec (see host_paths.h; docs/security.md, "Host paths").
#include "vm/host_paths.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <optional>
#include <system_error>

#include "vm/child_process.h"
#include "vm/spec_errors.h"

namespace novacron::vm {
namespace {

std::string ErrnoText(int err) { return std::error_code(err, std::generic_category()).message(); }

// realpath(3) as a string; nullopt with errno set when it fails.
std::optional<std::string> RealPath(const std::string& path) {
  char buf[PATH_MAX];
  if (realpath(path.c_str(), buf) == nullptr) return std::nullopt;
  return std::string(buf);
}

// True when canonical `path` is `dir` itself or below it (both canonical).
bool IsInside(const std::string& path, const std::string& dir) {
  if (dir == "/") return true;
  return path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 &&
         path[dir.size()] == '/';
}

std::string JoinDirs(const std::vector<std::string>& dirs) {
  std::string out;
  for (const std::string& d : dirs) out += (out.empty() ? "" : ", ") + d;
  return out.empty() ? "(none)" : out;
}

std::string_view FileKind(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISLNK(mode)) return "a symbolic link";
  return "not a regular file";
}

FieldError Refuse(std::string_view field, std::string message) {
  return {std::string(field), std::move(message)};
}

// The resolved file, or the one error that refuses it.
Result<std::string> Resolve(const HostPathPolicy& policy, std::string_view field,
                            const std::string& path, FieldError* error) {
  auto fail = [&](std::string message) -> Status {
    *error = Refuse(field, std::move(message));
    return SpecErrorStatus({*error});
  };
  if (std::string e = CheckAbsolutePath(path); !e.empty()) return fail(e);
  std::optional<std::string> canonical = RealPath(path);
  if (!canonical) {
    int err = errno;
    return fail(path + ": " + (err == ENOENT ? std::string("no such file") : ErrnoText(err)));
  }
  const std::string shown = *canonical == path ? path : path + " resolves to " + *canonical;
  // Another VM's disks are never an image, even where an image dir contains the disk dir.
  if (std::optional<std::string> disks = RealPath(policy.disk_dir);
      disks && IsInside(*canonical, *disks)) {
    return fail(shown + ", which is inside vm.disk_dir (" + policy.disk_dir +
                "): the disks of VMs cannot be used as images");
  }
  bool inside = false;
  for (const std::string& dir : policy.image_dirs) {
    std::optional<std::string> real_dir = RealPath(dir);
    if (real_dir && IsInside(*canonical, *real_dir)) inside = true;
  }
  if (!inside) {
    return fail(shown + " is not inside an image directory (vm.image_dirs: " +
                JoinDirs(policy.image_dirs) + ")");
  }
  // O_PATH opens nothing (a FIFO does not block, a device is not touched); O_NOFOLLOW refuses
  // a symlink put in place since realpath; the inode check catches a swapped parent directory.
  int fd = open(canonical->c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return fail(shown + ": cannot open: " + ErrnoText(errno));
  struct stat opened {};
  int fstat_rc = fstat(fd, &opened);
  int fstat_errno = errno;
  close(fd);
  if (fstat_rc != 0) return fail(shown + ": " + ErrnoText(fstat_errno));
  if (!S_ISREG(opened.st_mode)) {
    return fail(shown + " is " + std::string(FileKind(opened.st_mode)) + ", not a regular file");
  }
  struct stat named {};
  if (stat(canonical->c_str(), &named) != 0 || named.st_dev != opened.st_dev ||
      named.st_ino != opened.st_ino) {
    return fail(shown + " changed while it was checked; try again");
  }
  return *canonical;
}

// Runs `qemu-img info --backing-chain` on one accepted base image and checks the chain.
Status CheckImage(const HostPathPolicy& policy, const std::string& field, const std::string& path,
                  std::string* format) {
  auto unusable = [&](const std::string& why) {
    return SpecErrorStatus({Refuse(field, path + " is not a usable disk image: " + why)});
  };
  NOVACRON_ASSIGN_OR_RETURN(
      ProgramOutput run,
      RunProgram({policy.qemu_img, "info", "--backing-chain", "--output=json", "-U", path},
                 policy.child_timeout));
  if (run.exit_code != 0) {
    std::string why = run.err.empty() ? run.out : run.err;
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    return unusable("qemu-img info failed: " + why);
  }
  nlohmann::json chain = nlohmann::json::parse(run.out, nullptr, /*allow_exceptions=*/false);
  if (!chain.is_array() || chain.empty()) return unusable("qemu-img info gave no image");
  for (size_t i = 0; i < chain.size(); ++i) {
    const nlohmann::json& image = chain[i];
    if (!image.is_object() || !image.contains("format") || !image["format"].is_string() ||
        !image.contains("filename") || !image["filename"].is_string()) {
      return unusable("qemu-img info gave unexpected output");
    }
    std::string image_format = image["format"].get<std::string>();
    std::string filename = image["filename"].get<std::string>();
    if (image_format != "raw" && image_format != "qcow2") {
      return unusable((i == 0 ? std::string("its") : "its backing file " + filename + " has") +
                      " format is " + image_format + " (raw or qcow2 only)");
    }
    if (i == 0) {
      *format = image_format;
      if (image.value("virtual-size", uint64_t{0}) == 0) return unusable("it is empty");
      continue;
    }
    FieldError refused;
    if (Result<std::string> backing = Resolve(policy, field, filename, &refused); !backing.ok()) {
      return SpecErrorStatus(
          {Refuse(field, path + " has a backing file that is refused: " + refused.message)});
    }
  }
  return Status::Ok();
}

}  // namespace

Result<std::string> ResolveImageFile(const HostPathPolicy& policy, std::string_view field,
                                     const std::string& path) {
  FieldError unused;
  return Resolve(policy, field, path, &unused);
}

Result<ResolvedHostPaths> ResolveSpecPaths(const HostPathPolicy& policy, const VmSpec& spec) {
  ResolvedHostPaths resolved;
  std::vector<FieldError> errors;
  auto check = [&](const std::string& field, const std::string& path, std::string* out) {
    if (path.empty()) return;
    FieldError refused;
    Result<std::string> file = Resolve(policy, field, path, &refused);
    if (file.ok()) {
      *out = std::move(file).value();
    } else {
      errors.push_back(std::move(refused));
    }
  };
  resolved.base_images.resize(spec.disks.size());
  resolved.base_formats.resize(spec.disks.size());
  for (size_t i = 0; i < spec.disks.size(); ++i) {
    check("disks[" + std::to_string(i) + "].base_image", spec.disks[i].base_image,
          &resolved.base_images[i]);
  }
  check("kernel", spec.kernel, &resolved.kernel);
  check("initrd", spec.initrd, &resolved.initrd);
  if (!errors.empty()) return SpecErrorStatus(errors);
  return resolved;
}

Result<ResolvedHostPaths> CheckSpecHostPaths(const HostPathPolicy& policy, const VmSpec& spec) {
  NOVACRON_ASSIGN_OR_RETURN(ResolvedHostPaths resolved, ResolveSpecPaths(policy, spec));
  for (size_t i = 0; i < spec.disks.size(); ++i) {
    if (resolved.base_images[i].empty()) continue;
    NOVACRON_RETURN_IF_ERROR(CheckImage(policy, "disks[" + std::to_string(i) + "].base_image",
                                        resolved.base_images[i], &resolved.base_formats[i]));
  }
  return resolved;
}

}  // namespace novacron::vm
