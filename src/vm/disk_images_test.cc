#include "vm/disk_images.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "vm/libvirt_test_support.h"

namespace novacron::vm {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using testing::NewUuid;
using testing::TempDir;

constexpr uint64_t kMiB = 1024 * 1024;

class DiskImagesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(tmp_.path().empty());
    disk_dir_ = tmp_.path() + "/vms";
    base_ = tmp_.path() + "/base.qcow2";
    Result<ProgramOutput> made =
        RunProgram({"qemu-img", "create", "-q", "-f", "qcow2", base_, "64M"});
    if (!made.ok()) GTEST_SKIP() << "qemu-img not available: " << made.status().message();
    ASSERT_EQ(made->exit_code, 0) << made->err;
  }

  DiskSpec Blank(uint64_t mib) { return DiskSpec{.base_image = "", .size_mib = mib, .target = ""}; }
  DiskSpec Overlay(std::string base) {
    return DiskSpec{.base_image = std::move(base), .size_mib = std::nullopt, .target = ""};
  }

  TempDir tmp_;
  std::string disk_dir_;
  std::string base_;
};

TEST_F(DiskImagesTest, PathsAreUnderTheVmDirectory) {
  DiskImages images(disk_dir_, "qemu-img");
  std::string uuid = NewUuid();
  EXPECT_EQ(*images.VmDir(uuid), disk_dir_ + "/" + uuid);
  EXPECT_EQ(*images.DiskPath(uuid, 2), disk_dir_ + "/" + uuid + "/disk2.qcow2");
}

TEST_F(DiskImagesTest, NonCanonicalUuidCannotEscapeTheDiskDir) {
  DiskImages images(disk_dir_, "qemu-img");
  for (std::string bad : {"", "..", "../../etc", "11111111-2222-3333-4444-55555555555/",
                          "11111111-2222-3333-4444-5555555555../"}) {
    EXPECT_EQ(images.VmDir(bad).status().code(), ErrorCode::kInvalidArgument) << bad;
    EXPECT_EQ(images.Remove(bad).code(), ErrorCode::kInvalidArgument) << bad;
    EXPECT_EQ(images.Create(bad, {Blank(1)}).status().code(), ErrorCode::kInvalidArgument) << bad;
  }
  EXPECT_FALSE(fs::exists(disk_dir_));
}

TEST_F(DiskImagesTest, RelativeDiskDirIsRejected) {
  DiskImages images("relative/vms", "qemu-img");
  EXPECT_EQ(images.VmDir(NewUuid()).status().code(), ErrorCode::kInvalidArgument);
}

TEST_F(DiskImagesTest, CreatesBlankAndOverlayDisks) {
  DiskImages images(disk_dir_, "qemu-img");
  std::string uuid = NewUuid();
  Result<std::vector<std::string>> paths = images.Create(uuid, {Overlay(base_), Blank(48)});
  ASSERT_TRUE(paths.ok()) << paths.status().ToString();
  ASSERT_EQ(paths->size(), 2u);
  EXPECT_EQ((*paths)[0], *images.DiskPath(uuid, 0));
  EXPECT_EQ((*paths)[1], *images.DiskPath(uuid, 1));

  Result<DiskImageInfo> overlay = images.Inspect((*paths)[0]);
  ASSERT_TRUE(overlay.ok()) << overlay.status().ToString();
  EXPECT_EQ(overlay->format, "qcow2");
  EXPECT_EQ(overlay->backing_file, base_);
  EXPECT_EQ(overlay->virtual_size, 64 * kMiB);  // the base's size

  Result<DiskImageInfo> blank = images.Inspect((*paths)[1]);
  ASSERT_TRUE(blank.ok()) << blank.status().ToString();
  EXPECT_EQ(blank->format, "qcow2");
  EXPECT_EQ(blank->backing_file, "");
  EXPECT_EQ(blank->virtual_size, 48 * kMiB);
}

TEST_F(DiskImagesTest, ExistingVmDirectoryIsNeverReused) {
  DiskImages images(disk_dir_, "qemu-img");
  std::string uuid = NewUuid();
  ASSERT_TRUE(images.Create(uuid, {Blank(8)}).ok());
  Result<std::vector<std::string>> again = images.Create(uuid, {Blank(16)});
  EXPECT_EQ(again.status().code(), ErrorCode::kAlreadyExists);
  // The first disk is untouched.
  EXPECT_EQ(images.Inspect(*images.DiskPath(uuid, 0))->virtual_size, 8 * kMiB);
}

TEST_F(DiskImagesTest, QemuImgFailureRemovesTheDirectoryAndReportsStderr) {
  std::string not_qcow2 = tmp_.path() + "/raw.img";
  std::ofstream(not_qcow2) << "not an image";
  DiskImages images(disk_dir_, "qemu-img");
  std::string uuid = NewUuid();
  Result<std::vector<std::string>> paths = images.Create(uuid, {Blank(8), Overlay(not_qcow2)});
  ASSERT_FALSE(paths.ok());
  EXPECT_EQ(paths.status().code(), ErrorCode::kInternal);
  EXPECT_THAT(paths.status().ToString(), HasSubstr("disks[1]"));
  EXPECT_THAT(paths.status().ToString(), HasSubstr("qemu-img create failed"));
  EXPECT_FALSE(fs::exists(disk_dir_ + "/" + uuid));
}

TEST_F(DiskImagesTest, MissingQemuImgIsUnavailableAndLeavesNothing) {
  DiskImages images(disk_dir_, "/nonexistent/qemu-img");
  std::string uuid = NewUuid();
  Result<std::vector<std::string>> paths = images.Create(uuid, {Blank(8)});
  EXPECT_EQ(paths.status().code(), ErrorCode::kUnavailable);
  EXPECT_FALSE(fs::exists(disk_dir_ + "/" + uuid));
}

TEST_F(DiskImagesTest, RemoveDeletesOnlyTheVmDirectoryAndDoesNotFollowSymlinks) {
  DiskImages images(disk_dir_, "qemu-img");
  std::string uuid = NewUuid();
  std::string other = NewUuid();
  ASSERT_TRUE(images.Create(uuid, {Blank(8)}).ok());
  ASSERT_TRUE(images.Create(other, {Blank(8)}).ok());
  std::string outside = tmp_.path() + "/outside.txt";
  std::ofstream(outside) << "keep me";
  fs::create_symlink(outside, disk_dir_ + "/" + uuid + "/link");
  fs::create_directory_symlink(tmp_.path(), disk_dir_ + "/" + uuid + "/dirlink");

  ASSERT_TRUE(images.Remove(uuid).ok());
  EXPECT_FALSE(fs::exists(disk_dir_ + "/" + uuid));
  EXPECT_TRUE(fs::exists(outside));
  EXPECT_TRUE(fs::exists(base_));
  EXPECT_TRUE(fs::exists(*images.DiskPath(other, 0)));
  EXPECT_TRUE(images.Remove(uuid).ok()) << "removing twice is fine";
}

TEST_F(DiskImagesTest, InspectOfAMissingFileFails) {
  DiskImages images(disk_dir_, "qemu-img");
  Result<DiskImageInfo> info = images.Inspect(tmp_.path() + "/missing.qcow2");
  EXPECT_EQ(info.status().code(), ErrorCode::kInternal);
  EXPECT_THAT(info.status().message(), HasSubstr("missing.qcow2"));
}

}  // namespace
}  // namespace novacron::vm
