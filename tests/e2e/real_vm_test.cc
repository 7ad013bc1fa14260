// A real VM, booted for real: libvirtd + QEMU (TCG: vm.domain_type qemu), a Debian cloud kernel
// and a busybox initramfs whose /init prints a marker on the serial console and powers off.
// The VM is created, started and deleted through the daemon's API on qemu:///system.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "support/process.h"

namespace novacron::testing {
namespace {

using nlohmann::json;
using std::chrono::seconds;
namespace fs = std::filesystem;

constexpr char kMarker[] = "NOVACRON-REAL-VM-BOOTED";

// Runs a shell command line made only of fixed strings and paths we created; returns its exit
// code and output.
int Shell(const std::string& command, std::string* output = nullptr) {
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return -1;
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), pipe)) > 0) out.append(buf, n);
  int status = ::pclose(pipe);
  if (output) *output = out;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

bool LibvirtAnswers() { return Shell("virsh -c qemu:///system version >/dev/null") == 0; }

// libvirtd and virtlogd for the test: reuses running ones, or starts them (as root) and stops
// them again afterwards.
class SystemLibvirt {
 public:
  // Empty when libvirt answers on qemu:///system; otherwise why not.
  std::string Start() {
    if (LibvirtAnswers()) return "";
    if (::geteuid() != 0) return "libvirtd is not running and starting it needs root";
    for (const char* bin : {"/usr/sbin/libvirtd", "/usr/sbin/virtlogd"}) {
      if (::access(bin, X_OK) != 0) return std::string(bin) + " is missing (libvirt-daemon-system)";
    }
    if (::access("/dev/kvm", F_OK) != 0 && ::access("/usr/bin/qemu-system-x86_64", X_OK) != 0) {
      return "qemu-system-x86_64 is missing (qemu-system-x86)";
    }
    std::string out;
    // A daemon that an earlier run (ctest --repeat) told to stop may still be exiting: its
    // socket is gone while pgrep still finds it. Wait for it rather than lean on it.
    if (Shell("test -S /run/libvirt/virtlogd-sock") != 0) WaitGone("virtlogd");
    WaitGone("libvirtd");
    if (Shell("pgrep -x virtlogd >/dev/null") != 0) {
      if (Shell("/usr/sbin/virtlogd -d", &out) != 0) return "virtlogd -d failed: " + out;
      started_virtlogd_ = true;
    }
    if (Shell("/usr/sbin/libvirtd -d", &out) != 0) return "libvirtd -d failed: " + out;
    started_libvirtd_ = true;
    for (int i = 0; i < 300 && !LibvirtAnswers(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (!LibvirtAnswers()) {
      Shell("virsh -c qemu:///system version", &out);
      return "libvirtd started but qemu:///system does not answer: " + out;
    }
    return "";
  }

  ~SystemLibvirt() {
    // Stopped and gone before the next test (or a repeat of this one) looks for them.
    if (started_libvirtd_) {
      Shell("pkill -x libvirtd");
      WaitGone("libvirtd");
    }
    if (started_virtlogd_) {
      Shell("pkill -x virtlogd");
      WaitGone("virtlogd");
    }
  }

 private:
  // Waits (up to 30 s) until no process is named `name`.
  static void WaitGone(const std::string& name) {
    for (int i = 0; i < 300 && Shell("pgrep -x " + name + " >/dev/null") == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }

  bool started_libvirtd_ = false;
  bool started_virtlogd_ = false;
};

class RealVmTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why = libvirt_.Start();
    if (!why.empty()) GTEST_SKIP() << "no real VM here: " << why;
    // QEMU runs as libvirt-qemu: it must reach the kernel, initrd and serial log.
    ::chmod(dir_.path().c_str(), 0755);
    const char* cache = std::getenv("XDG_CACHE_HOME");
    fs::path kernel_cache =
        cache ? fs::path(cache) : fs::path(std::getenv("HOME") ?: "/tmp") / ".cache";
    kernel_cache /= "novacron-test/kernel";
    std::string out;
    ASSERT_EQ(Shell(std::string(NOVACRON_SOURCE_DIR) + "/tests/vm/fetch-kernel.sh " +
                        kernel_cache.string(),
                    &out),
              0)
        << out;
    std::string vmlinuz = out.substr(0, out.find_last_not_of("\n") + 1);
    vmlinuz = vmlinuz.substr(vmlinuz.rfind('\n') + 1);
    // The kernel and initrd come from an image directory (vm.image_dirs, docs/security.md).
    fs::create_directories(images_dir());
    ::chmod(images_dir().c_str(), 0755);
    kernel_ = images_dir() / "vmlinuz";
    fs::copy_file(vmlinuz, kernel_, fs::copy_options::overwrite_existing);
    initrd_ = images_dir() / "initrd.gz";
    ASSERT_EQ(Shell(std::string(NOVACRON_SOURCE_DIR) + "/tests/vm/build-initramfs.sh " +
                        initrd_.string() + " " + kMarker,
                    &out),
              0)
        << out;
    for (const fs::path& p : {kernel_, initrd_}) ::chmod(p.c_str(), 0644);
  }

  fs::path images_dir() const { return dir_.path() / "images"; }
  // The daemon chooses the serial log: serial.log in the VM's directory under vm.disk_dir.
  fs::path SerialLog(const std::string& id) const {
    return dir_.path() / "data" / "vms" / id / "serial.log";
  }

  void TearDown() override {
    // Leave nothing behind in the system libvirt, whatever happened.
    if (!name_.empty()) {
      Shell("virsh -c qemu:///system destroy " + name_ + " >/dev/null");
      Shell("virsh -c qemu:///system undefine " + name_ + " >/dev/null");
    }
  }

  void StartDaemon(DaemonProcess& daemon) {
    daemon.Start(dir_.path() / "data", {},
                 {{"NOVACRON_VM_HYPERVISOR_URI", "qemu:///system"},
                  {"NOVACRON_VM_DOMAIN_TYPE", "qemu"},
                  {"NOVACRON_VM_IMAGE_DIRS", images_dir().string()}});
    port_ = daemon.WaitForApi(seconds(60));
    ASSERT_NE(port_, 0) << daemon.Stderr();
  }

  SystemLibvirt libvirt_;
  TempDir dir_;
  fs::path kernel_, initrd_;
  std::string name_;
  uint16_t port_ = 0;
};

TEST_F(RealVmTest, BootsPrintsTheMarkerPowersOffAndIsDeleted) {
  DaemonProcess daemon;
  StartDaemon(daemon);
  name_ = "novacron-e2e-" + std::to_string(::getpid());
  json spec = {{"name", name_},
               {"vcpus", 1},
               {"memory_mib", 256},
               {"kernel", kernel_.string()},
               {"initrd", initrd_.string()},
               {"cmdline", "console=ttyS0 panic=-1"},
               {"serial_log", true}};
  // Defining the first TCG domain makes libvirtd probe QEMU's capabilities: on these machines
  // that has taken up to a minute.
  HttpResult created =
      HttpCall(port_, "POST", "/api/v1/vms?start=true", spec.dump(), {}, seconds(240));
  ASSERT_EQ(created.status, 201) << created.body << "\n" << daemon.Stderr();
  const std::string id = json::parse(created.body)["id"];
  const fs::path serial_log = SerialLog(id);

  // Every state the API shows until the guest powered itself off.
  std::vector<std::string> seen{json::parse(created.body)["state"]};
  bool marker = false;
  for (int i = 0; i < 1200; ++i) {  // 2 minutes at most; TCG needs a few seconds
    json vm = json::parse(HttpGet(port_, "/api/v1/vms/" + id).body, nullptr, false);
    std::string state = vm.is_object() ? vm.value("state", "") : "";
    if (!state.empty() && state != seen.back()) seen.push_back(state);
    marker = marker || ReadAll(serial_log).find(kMarker) != std::string::npos;
    if (marker && state == "stopped") break;
    if (state == "failed") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::string transitions;
  for (const std::string& s : seen) transitions += s + " ";
  EXPECT_TRUE(marker) << "serial log:\n" << ReadAll(serial_log) << "\n" << daemon.Stderr();
  ASSERT_EQ(seen.back(), "stopped") << transitions << "\n" << daemon.Stderr();
  EXPECT_NE(std::find(seen.begin(), seen.end(), "running"), seen.end()) << transitions;

  // Restart: the domain lives in libvirtd, so the record is reconciled without drift.
  daemon.Signal(SIGTERM);
  ASSERT_EQ(daemon.WaitExit(seconds(60)), 0) << daemon.Stderr();
  DaemonProcess second;
  StartDaemon(second);
  json vm = json::parse(HttpGet(port_, "/api/v1/vms/" + id).body);
  EXPECT_EQ(vm["state"], "stopped") << vm.dump();
  EXPECT_EQ(vm["drift"], "") << vm.dump();

  HttpResult deleted = HttpCall(port_, "DELETE", "/api/v1/vms/" + id, "", {}, seconds(120));
  EXPECT_EQ(deleted.status, 204) << deleted.body;
  EXPECT_NE(Shell("virsh -c qemu:///system domstate " + name_ + " >/dev/null"), 0)
      << "the domain is still defined";
  name_.clear();
  second.Signal(SIGTERM);
  EXPECT_EQ(second.WaitExit(seconds(60)), 0);
}

}  // namespace
}  // namespace novacron::testing
