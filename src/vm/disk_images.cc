#include "vm/disk_images.h"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <system_error>

#include "vm/domain_xml.h"

extern char** environ;

namespace novacron::vm {
namespace {

std::string ErrnoText(int err) { return std::error_code(err, std::generic_category()).message(); }

// Closes the file descriptors it holds on every exit path.
class Fds {
 public:
  ~Fds() {
    for (int fd : fds_) {
      if (fd >= 0) close(fd);
    }
  }
  int& operator[](size_t i) { return fds_[i]; }
  void Close(size_t i) {
    if (fds_[i] >= 0) close(fds_[i]);
    fds_[i] = -1;
  }

 private:
  int fds_[4] = {-1, -1, -1, -1};  // out read, out write, err read, err write
};

// Reads both pipes until the child closed them; polling keeps a chatty child from blocking on
// one pipe while we wait on the other.
void DrainPipes(int out_fd, int err_fd, std::string& out, std::string& err) {
  pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
  std::string* sinks[2] = {&out, &err};
  int open_fds = 2;
  char buf[4096];
  while (open_fds > 0) {
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      ssize_t n = read(fds[i].fd, buf, sizeof(buf));
      if (n > 0) {
        sinks[i]->append(buf, static_cast<size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        fds[i].fd = -1;  // poll ignores negative descriptors
        --open_fds;
      }
    }
  }
}

std::string Trim(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

}  // namespace

Result<ProgramOutput> RunProgram(const std::vector<std::string>& argv) {
  if (argv.empty()) return InvalidArgument("run program: empty argument vector");
  Fds fds;
  int out_pipe[2];
  int err_pipe[2];
  // O_CLOEXEC keeps these pipes out of programs other threads spawn at the same time.
  if (pipe2(out_pipe, O_CLOEXEC) != 0) return Internal("pipe: " + ErrnoText(errno));
  fds[0] = out_pipe[0];
  fds[1] = out_pipe[1];
  if (pipe2(err_pipe, O_CLOEXEC) != 0) return Internal("pipe: " + ErrnoText(errno));
  fds[2] = err_pipe[0];
  fds[3] = err_pipe[1];

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
  posix_spawn_file_actions_adddup2(&actions, fds[3], 2);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return Unavailable("cannot run " + argv[0] + ": " + ErrnoText(rc));
  fds.Close(1);
  fds.Close(3);

  ProgramOutput result;
  DrainPipes(fds[0], fds[2], result.out, result.err);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return Internal("waitpid " + argv[0] + ": " + ErrnoText(errno));
  }
  if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.exit_code = -WTERMSIG(status);
  }
  // posix_spawnp reports a missing binary through the child's exit code 127.
  if (result.exit_code == 127 && result.err.empty()) {
    return Unavailable("cannot run " + argv[0] + ": not found or not executable");
  }
  return result;
}

DiskImages::DiskImages(std::string disk_dir, std::string qemu_img)
    : disk_dir_(std::move(disk_dir)), qemu_img_(std::move(qemu_img)) {}

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

Status DiskImages::CheckBaseImages(const std::vector<DiskSpec>& disks) {
  for (size_t i = 0; i < disks.size(); ++i) {
    const std::string& base = disks[i].base_image;
    if (base.empty()) continue;
    std::string field = "disks[" + std::to_string(i) + "].base_image: " + base;
    if (std::string e = CheckAbsolutePath(base); !e.empty()) {
      return InvalidArgument(field + ": " + e);
    }
    struct stat st {};
    if (stat(base.c_str(), &st) != 0) {
      return InvalidArgument(field + ": " + (errno == ENOENT ? "no such file" : ErrnoText(errno)));
    }
    if (!S_ISREG(st.st_mode)) return InvalidArgument(field + ": not a regular file");
  }
  return Status::Ok();
}

Status DiskImages::RunQemuImg(const std::vector<std::string>& args, std::string* out) const {
  std::vector<std::string> argv{qemu_img_};
  argv.insert(argv.end(), args.begin(), args.end());
  NOVACRON_ASSIGN_OR_RETURN(ProgramOutput run, RunProgram(argv));
  if (run.exit_code != 0) {
    std::string what = Trim(run.err.empty() ? run.out : run.err);
    return Internal(qemu_img_ + " " + args[0] + " failed (exit " + std::to_string(run.exit_code) +
                    "): " + what);
  }
  if (out) *out = std::move(run.out);
  return Status::Ok();
}

Result<std::vector<std::string>> DiskImages::Create(const std::string& uuid,
                                                    const std::vector<DiskSpec>& disks) const {
  NOVACRON_ASSIGN_OR_RETURN(std::string dir, VmDir(uuid));
  NOVACRON_RETURN_IF_ERROR(CheckBaseImages(disks));
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
      args.insert(args.end(), {"-F", "qcow2", "-b", disks[i].base_image, path});
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
