// The host path rules against real files: symlinks, FIFOs, devices, directories, /proc, other
// VMs' disks, and real qemu-img images with backing chains.
#include "vm/host_paths.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "vm/child_process.h"
#include "vm/libvirt_test_support.h"
#include "vm/spec_errors.h"

namespace novacron::vm {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using testing::TempDir;

class HostPathsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(tmp_.path().empty());
    images_ = tmp_.path() + "/images";
    outside_ = tmp_.path() + "/outside";
    fs::create_directories(images_);
    fs::create_directories(outside_);
    fs::create_directories(tmp_.path() + "/vms");
    policy_.image_dirs = {images_};
    policy_.disk_dir = tmp_.path() + "/vms";
    policy_.child_timeout = std::chrono::seconds(30);
    Write(images_ + "/vmlinuz", "kernel");
  }

  static void Write(const std::string& path, const std::string& text) {
    std::ofstream(path) << text;
  }
  // A qcow2 image made by the real qemu-img; skips the test without it.
  bool MakeImage(const std::string& path, const std::vector<std::string>& extra = {}) {
    std::vector<std::string> argv = {"qemu-img", "create", "-q"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    if (std::find(extra.begin(), extra.end(), "-f") == extra.end()) {
      argv.insert(argv.end(), {"-f", "qcow2"});
    }
    argv.insert(argv.end(), {path, "16M"});
    Result<ProgramOutput> made = RunProgram(argv);
    if (!made.ok()) return false;
    EXPECT_EQ(made->exit_code, 0) << made->err;
    return made->exit_code == 0;
  }

  // The message of the one error for `field` when `path` is refused.
  std::string Refusal(const std::string& path, const std::string& field = "kernel") {
    Result<std::string> resolved = ResolveImageFile(policy_, field, path);
    EXPECT_FALSE(resolved.ok()) << path << " was accepted as " << resolved.value();
    if (resolved.ok()) return "";
    EXPECT_EQ(resolved.status().code(), ErrorCode::kInvalidArgument);
    std::vector<FieldError> errors = SpecErrorsOf(resolved.status());
    EXPECT_EQ(errors.size(), 1u) << resolved.status().ToString();
    if (errors.empty()) return "";
    EXPECT_EQ(errors[0].field, field);
    return errors[0].message;
  }

  VmSpec SpecWithBase(const std::string& base) {
    VmSpec spec;
    spec.name = "web1";
    spec.disks = {DiskSpec{.base_image = base, .size_mib = std::nullopt, .target = ""}};
    return spec;
  }

  TempDir tmp_;
  std::string images_;
  std::string outside_;
  HostPathPolicy policy_;
};

TEST_F(HostPathsTest, ARegularFileInAnImageDirIsAcceptedByItsCanonicalPath) {
  Result<std::string> kernel = ResolveImageFile(policy_, "kernel", images_ + "/vmlinuz");
  ASSERT_TRUE(kernel.ok()) << kernel.status().ToString();
  EXPECT_EQ(*kernel, fs::canonical(images_ + "/vmlinuz").string());
  // A symlink that stays inside the image dir is fine: its target is what gets used.
  fs::create_symlink(images_ + "/vmlinuz", images_ + "/current");
  Result<std::string> linked = ResolveImageFile(policy_, "kernel", images_ + "/current");
  ASSERT_TRUE(linked.ok()) << linked.status().ToString();
  EXPECT_EQ(*linked, *kernel);
}

TEST_F(HostPathsTest, DotDotIsRefused) {
  EXPECT_THAT(Refusal(images_ + "/../outside/x"), HasSubstr("'..'"));
}

TEST_F(HostPathsTest, SystemFilesAreNotInsideAnImageDir) {
  for (std::string path : {"/etc/shadow", "/etc/passwd", "/proc/self/environ", "/dev/null"}) {
    std::string message = Refusal(path, "disks[0].base_image");
    EXPECT_THAT(message,
                HasSubstr("is not inside an image directory (vm.image_dirs: " + images_ + ")"))
        << path;
  }
}

TEST_F(HostPathsTest, SymlinksOutOfTheImageDirAreRefusedNamingTheTarget) {
  Write(outside_ + "/secret", "secret");
  fs::create_symlink(outside_ + "/secret", images_ + "/escape");
  fs::create_symlink("/etc/passwd", images_ + "/passwd");
  fs::create_symlink("/dev/null", images_ + "/null");
  fs::create_directory_symlink(outside_, images_ + "/dirlink");
  for (std::string link : {"/escape", "/passwd", "/null", "/dirlink/secret"}) {
    std::string message = Refusal(images_ + link);
    EXPECT_THAT(message, HasSubstr("resolves to")) << link;
    EXPECT_THAT(message, HasSubstr("is not inside an image directory")) << link;
  }
}

TEST_F(HostPathsTest, AnotherVmsDiskIsRefusedEvenWhenAnImageDirContainsTheDiskDir) {
  policy_.image_dirs = {tmp_.path()};  // the disk dir is inside it
  std::string disk = policy_.disk_dir + "/0b5e5d7e-7c54-4d2f-9a39-0c1e8a1f9a11/disk0.qcow2";
  fs::create_directories(fs::path(disk).parent_path());
  Write(disk, "a disk");
  EXPECT_THAT(Refusal(disk, "disks[0].base_image"), HasSubstr("inside vm.disk_dir"));
  fs::create_symlink(disk, images_ + "/innocent.qcow2");
  EXPECT_THAT(Refusal(images_ + "/innocent.qcow2", "disks[0].base_image"),
              HasSubstr("inside vm.disk_dir"));
}

TEST_F(HostPathsTest, FifosDirectoriesAndDevicesAreNotRegularFiles) {
  ASSERT_EQ(mkfifo((images_ + "/fifo").c_str(), 0600), 0);
  EXPECT_THAT(Refusal(images_ + "/fifo"), HasSubstr("is a FIFO, not a regular file"));
  fs::create_directories(images_ + "/dir");
  EXPECT_THAT(Refusal(images_ + "/dir"), HasSubstr("is a directory, not a regular file"));
  // Creating a device node needs root; an image dir that holds one (here /dev) shows the rule.
  policy_.image_dirs = {"/dev"};
  EXPECT_THAT(Refusal("/dev/null"), HasSubstr("is a character device, not a regular file"));
}

TEST_F(HostPathsTest, MissingFilesAndMissingImageDirs) {
  EXPECT_THAT(Refusal(images_ + "/nope"), HasSubstr(images_ + "/nope: no such file"));
  policy_.image_dirs = {tmp_.path() + "/not-there"};
  EXPECT_THAT(Refusal(images_ + "/vmlinuz"), HasSubstr("is not inside an image directory"));
}

TEST_F(HostPathsTest, EveryRefusedFieldOfASpecIsListed) {
  VmSpec spec = SpecWithBase("/etc/shadow");
  spec.kernel = images_ + "/vmlinuz";
  spec.initrd = "/proc/self/environ";
  Result<ResolvedHostPaths> resolved = ResolveSpecPaths(policy_, spec);
  ASSERT_FALSE(resolved.ok());
  std::vector<FieldError> errors = SpecErrorsOf(resolved.status());
  ASSERT_EQ(errors.size(), 2u) << resolved.status().ToString();
  EXPECT_EQ(errors[0].field, "disks[0].base_image");
  EXPECT_EQ(errors[1].field, "initrd");
}

TEST_F(HostPathsTest, QcowAndRawBaseImagesAreAcceptedWithTheirFormat) {
  if (!MakeImage(images_ + "/base.qcow2")) GTEST_SKIP() << "qemu-img is not available";
  ASSERT_TRUE(MakeImage(images_ + "/base.raw", {"-f", "raw"}));
  VmSpec spec = SpecWithBase(images_ + "/base.qcow2");
  spec.disks.push_back(
      {.base_image = images_ + "/base.raw", .size_mib = std::nullopt, .target = ""});
  spec.disks.push_back({.base_image = "", .size_mib = 8, .target = ""});
  Result<ResolvedHostPaths> resolved = CheckSpecHostPaths(policy_, spec);
  ASSERT_TRUE(resolved.ok()) << resolved.status().ToString();
  EXPECT_EQ(resolved->base_formats, (std::vector<std::string>{"qcow2", "raw", ""}));
  EXPECT_EQ(resolved->base_images[2], "");
}

TEST_F(HostPathsTest, UnusableImagesAreRefusedNamingTheField) {
  if (!MakeImage(images_ + "/base.vdi", {"-f", "vdi"})) GTEST_SKIP() << "qemu-img unavailable";
  Write(images_ + "/broken.qcow2", std::string("QFI\xfb", 4) + std::string(200, '\x7f'));
  Write(images_ + "/empty.img", "");
  for (auto [file, why] : {std::pair{"/base.vdi", "format is vdi (raw or qcow2 only)"},
                           std::pair{"/broken.qcow2", "qemu-img info failed"},
                           std::pair{"/empty.img", "it is empty"}}) {
    Result<ResolvedHostPaths> checked = CheckSpecHostPaths(policy_, SpecWithBase(images_ + file));
    ASSERT_FALSE(checked.ok()) << file;
    std::vector<FieldError> errors = SpecErrorsOf(checked.status());
    ASSERT_EQ(errors.size(), 1u) << checked.status().ToString();
    EXPECT_EQ(errors[0].field, "disks[0].base_image");
    EXPECT_THAT(errors[0].message, HasSubstr("is not a usable disk image")) << file;
    EXPECT_THAT(errors[0].message, HasSubstr(why)) << file;
  }
}

TEST_F(HostPathsTest, BackingFilesOutsideTheImageDirsAreRefused) {
  if (!MakeImage(outside_ + "/secret.qcow2")) GTEST_SKIP() << "qemu-img is not available";
  ASSERT_TRUE(
      MakeImage(images_ + "/sneaky.qcow2", {"-F", "qcow2", "-b", outside_ + "/secret.qcow2"}));
  ASSERT_TRUE(MakeImage(images_ + "/inside.qcow2"));
  ASSERT_TRUE(MakeImage(images_ + "/fine.qcow2", {"-F", "qcow2", "-b", images_ + "/inside.qcow2"}));

  Result<ResolvedHostPaths> sneaky =
      CheckSpecHostPaths(policy_, SpecWithBase(images_ + "/sneaky.qcow2"));
  ASSERT_FALSE(sneaky.ok());
  std::vector<FieldError> errors = SpecErrorsOf(sneaky.status());
  ASSERT_EQ(errors.size(), 1u) << sneaky.status().ToString();
  EXPECT_EQ(errors[0].field, "disks[0].base_image");
  EXPECT_THAT(errors[0].message, HasSubstr("has a backing file that is refused"));
  EXPECT_THAT(errors[0].message, HasSubstr(outside_ + "/secret.qcow2"));

  Result<ResolvedHostPaths> fine =
      CheckSpecHostPaths(policy_, SpecWithBase(images_ + "/fine.qcow2"));
  EXPECT_TRUE(fine.ok()) << fine.status().ToString();
}

TEST_F(HostPathsTest, AHungQemuImgIsKilledAndTheCheckTimesOut) {
  Write(images_ + "/base.qcow2", "whatever");
  std::string fake = tmp_.path() + "/hung-qemu-img";
  Write(fake, "#!/bin/sh\nexec sleep 300\n");
  fs::permissions(fake, fs::perms::owner_all);
  policy_.qemu_img = fake;
  policy_.child_timeout = std::chrono::milliseconds(200);
  Result<ResolvedHostPaths> checked =
      CheckSpecHostPaths(policy_, SpecWithBase(images_ + "/base.qcow2"));
  EXPECT_EQ(checked.status().code(), ErrorCode::kDeadlineExceeded) << checked.status().ToString();
  EXPECT_THAT(checked.status().message(), HasSubstr("timed out"));
}

}  // namespace
}  // namespace novacron::vm
