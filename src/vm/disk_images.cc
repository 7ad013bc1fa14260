// Creates, inspects and removes the qcow2 disks of VMs with qemu-img (see disk_images.h).
#include "vm/disk_images.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <system_error>

#include "vm/domain_xml.h"

namespace novacron::vm {
namespace {

std::string ErrnoText(int err) { return std::error_code(err, std::generic_category()).message(); }

std::string Trim(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

}  // namespace

DiskImages::DiskImages(std::string disk_dir, std::string qemu_img,
                       std::chrono::milliseconds timeout)
    : disk_dir_(std::move(disk_dir)), qemu_img_(std::move(qemu_img)), timeout_(timeout) {}

Result<std::string> DiskImages::VmDir(const std::string& uuid) const {
  if (std::string e = CheckAbsolutePath(disk_dir_); !e.empty()) {
    return InvalidArgument("disk_dir '" + disk_dir_ + "': " + e);
  }
  if (!IsCanonicalUuid(uuid)) {
    return InvalidArgument("vm uuid '" + uuid + "': must be 8-4-4-4-12 hex digits");
  }
  return disk_dir_ + "/" + uuid;
}

Result<std::string> DiskImages::DiskPath(const std::string& uuid, size_t index) const {
  NOVACRON_ASSIGN_OR_RETURN(std::string dir, VmDir(uuid));
  return dir + "/disk" + std::to_string(index) + ".qcow2";
}

Status DiskImages::RunQemuImg(const std::vector<std::string>& args, std::string* out) const {
  std::vector<std::string> argv{qemu_img_};
  argv.insert(argv.end(), args.begin(), args.end());
  NOVACRON_ASSIGN_OR_RETURN(ProgramOutput run, RunProgram(argv, timeout_));
  if (run.exit_code != 0) {
    std::string what = Trim(run.err.empty() ? run.out : run.err);
    return Internal(qemu_img_ + " " + args[0] + " failed (exit " + std::to_string(run.exit_code) +
                    "): " + what);
  }
  if (out) *out = std::move(run.out);
  return Status::Ok();
}

Result<std::vector<std::string>> DiskImages::Create(
    const std::string& uuid, const std::vector<DiskSpec>& disks,
    const std::vector<std::string>& base_formats) const {
  NOVACRON_ASSIGN_OR_RETURN(std::string dir, VmDir(uuid));
  for (size_t i = 0; i < disks.size(); ++i) {
    const std::string& base = disks[i].base_image;
    if (base.empty()) continue;
    if (std::string e = CheckAbsolutePath(base); !e.empty()) {
      return InvalidArgument("disks[" + std::to_string(i) + "].base_image: " + base + ": " + e);
    }
  }
  std::error_code ec;
  std::filesystem::create_directories(disk_dir_, ec);
  if (ec) return Internal("create disk_dir " + disk_dir_ + ": " + ec.message());
  // 0711: QEMU may run as another user and needs to reach the files, not list the directory.
  if (mkdir(dir.c_str(), 0711) != 0) {
    if (errno == EEXIST) {
      return AlreadyExists("disk directory " + dir + " already exists");
    }
    return Internal("create " + dir + ": " + ErrnoText(errno));
  }
  std::vector<std::string> paths;
  for (size_t i = 0; i < disks.size(); ++i) {
    std::string path = dir + "/disk" + std::to_string(i) + ".qcow2";
    std::vector<std::string> args{"create", "-q", "-f", "qcow2"};
    if (!disks[i].base_image.empty()) {
      // The base's format is given, never probed from its content by qemu-img.
      std::string format =
          i < base_formats.size() && !base_formats[i].empty() ? base_formats[i] : "qcow2";
      args.insert(args.end(), {"-F", format, "-b", disks[i].base_image, path});
    } else {
      args.insert(args.end(), {path, std::to_string(disks[i].size_mib.value_or(0)) + "M"});
    }
    if (Status s = RunQemuImg(args, nullptr); !s.ok()) {
      Status removed = Remove(uuid);
      Status failed = s.Wrap("disks[" + std::to_string(i) + "]");
      return removed.ok() ? failed : failed.WithCause(removed);
    }
    paths.push_back(std::move(path));
  }
  return paths;
}

Status DiskImages::Remove(const std::string& uuid) const {
  NOVACRON_ASSIGN_OR_RETURN(std::string dir, VmDir(uuid));
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  if (ec) return Internal("remove " + dir + ": " + ec.message());
  return Status::Ok();
}

Result<DiskImageInfo> DiskImages::Inspect(const std::string& path) const {
  std::string out;
  NOVACRON_RETURN_IF_ERROR(RunQemuImg({"info", "--output=json", "-U", path}, &out));
  nlohmann::json doc = nlohmann::json::parse(out, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object() || !doc.contains("format") || !doc["format"].is_string() ||
      !doc.contains("virtual-size") || !doc["virtual-size"].is_number_unsigned()) {
    return Internal(qemu_img_ + " info " + path + ": unexpected output");
  }
  DiskImageInfo info;
  info.format = doc["format"].get<std::string>();
  info.virtual_size = doc["virtual-size"].get<uint64_t>();
  if (auto it = doc.find("backing-filename"); it != doc.end() && it->is_string()) {
    info.backing_file = it->get<std::string>();
  }
  return info;
}

}  // namespace novacron::vm
