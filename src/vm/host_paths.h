// Which host files a VM spec may name. `base_image`, `kernel` and `initrd` must resolve (after
// symlinks) to a regular file inside one of `vm.image_dirs`, never inside `vm.disk_dir` (another
// VM's disks); a base image must be a raw or qcow2 image whose whole backing chain obeys the same
// rule. Refusals are kInvalidArgument in the spec error format (vm/spec_errors.h), so the API
// answers 422 naming the field. docs/security.md, "Host paths", explains the rules.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "vm/vm_spec.h"

namespace novacron::vm {

struct HostPathPolicy {
  std::vector<std::string> image_dirs;  // `vm.image_dirs`: absolute; missing ones hold nothing
  std::string disk_dir;                 // `vm.disk_dir`: never a source of images
  std::string qemu_img = "qemu-img";    // inspects base images
  std::chrono::milliseconds child_timeout{60'000};
};

// What the checks accepted for one spec: canonical paths (no symlinks, no "..") that the domain
// and qemu-img use instead of what the spec said, so a symlink swapped later changes nothing.
struct ResolvedHostPaths {
  std::vector<std::string> base_images;   // one per spec disk; "" for a blank disk
  std::vector<std::string> base_formats;  // "raw" | "qcow2" per disk; "" for a blank disk
  std::string kernel;                     // "" when the spec has none
  std::string initrd;
};

// The canonical path of `path` (the value of spec field `field`) when it is a regular file
// inside an image directory and outside the disk directory: realpath, then opened with
// O_NOFOLLOW and fstat'ed (a regular file, the same inode). kInvalidArgument
// "<field>: /etc/shadow is not inside an image directory (vm.image_dirs: /a, /b)" otherwise.
Result<std::string> ResolveImageFile(const HostPathPolicy& policy, std::string_view field,
                                     const std::string& path);

// Every host path of `spec` (without running anything): kInvalidArgument listing every refused
// field, or the canonical paths (base_formats still empty).
Result<ResolvedHostPaths> ResolveSpecPaths(const HostPathPolicy& policy, const VmSpec& spec);

// ResolveSpecPaths, then `qemu-img info --backing-chain` on each base image (with the policy's
// timeout): its format must be raw or qcow2 and each backing file must pass ResolveImageFile.
// kInvalidArgument naming the field for an unusable image; kDeadlineExceeded when qemu-img hung;
// kUnavailable when qemu-img cannot be run.
Result<ResolvedHostPaths> CheckSpecHostPaths(const HostPathPolicy& policy, const VmSpec& spec);

}  // namespace novacron::vm
