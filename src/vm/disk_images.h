// The qcow2 files of a VM: created with qemu-img under `<disk_dir>/<uuid>/`, one file per spec
// disk. qemu-img runs as a child process with an argument vector (never through a shell) and a
// timeout (vm/child_process.h). Which base images are acceptable is vm/host_paths.h.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "vm/child_process.h"
#include "vm/vm_spec.h"

namespace novacron::vm {

// What `qemu-img info` says about an image.
struct DiskImageInfo {
  std::string format;         // "qcow2", "raw", ...
  uint64_t virtual_size = 0;  // bytes
  std::string backing_file;   // empty when the image has no backing file
};

class DiskImages {
 public:
  // `disk_dir` must be an absolute path; `qemu_img` is the binary to run, each run bounded by
  // `timeout` (kDeadlineExceeded after it).
  DiskImages(std::string disk_dir, std::string qemu_img,
             std::chrono::milliseconds timeout = kDefaultChildTimeout);

  // `<disk_dir>/<uuid>`, or kInvalidArgument unless `uuid` is canonical (so it cannot escape).
  Result<std::string> VmDir(const std::string& uuid) const;
  // `<disk_dir>/<uuid>/disk<index>.qcow2`.
  Result<std::string> DiskPath(const std::string& uuid, size_t index) const;

  // Creates the VM directory and one qcow2 per disk (an overlay on `base_image` or a blank disk
  // of `size_mib`); returns their paths in order. The caller has checked the base images
  // (vm/host_paths.h); `base_formats[i]` is the format of disk i's base ("raw" | "qcow2",
  // missing or empty: qcow2). kAlreadyExists when the directory exists (it is never reused, so
  // disks of another VM are never overwritten); on any other failure the directory is removed.
  Result<std::vector<std::string>> Create(const std::string& uuid,
                                          const std::vector<DiskSpec>& disks,
                                          const std::vector<std::string>& base_formats = {}) const;

  // Removes `<disk_dir>/<uuid>/` and everything in it (OK when it does not exist). Symlinks in
  // it are removed, not followed.
  Status Remove(const std::string& uuid) const;

  // `qemu-img info --output=json` of one image.
  Result<DiskImageInfo> Inspect(const std::string& path) const;

  const std::string& disk_dir() const { return disk_dir_; }

 private:
  Status RunQemuImg(const std::vector<std::string>& args, std::string* out) const;

  std::string disk_dir_;
  std::string qemu_img_;
  std::chrono::milliseconds timeout_;
};

}  // namespace novacron::vm
