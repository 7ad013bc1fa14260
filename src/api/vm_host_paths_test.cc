// Path attacks through POST /api/v1/vms on the real stack (real files, real qemu-img, libvirt's
// test driver): every one is a 422 naming the field, and nothing is created; a hung qemu-img
// fails its own request with a timeout while the API keeps answering. docs/security.md.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>

#include "api/real_vm_stack_for_test.h"
#include "vm/child_process.h"

namespace novacron::api {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::Body;

// Every file and directory below `root`, as paths relative to it, except the state store's own
// files under data/ (SQLite may add its journal files at any time).
std::set<std::string> Tree(const fs::path& root) {
  std::set<std::string> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    std::string relative = fs::relative(it->path(), root).string();
    if (!relative.starts_with("data")) out.insert(relative);
  }
  return out;
}

class VmHostPathsTest : public testing::ApiOnRealStackTest {
 protected:
  void SetUp() override {
    ApiOnRealStackTest::SetUp();
    images_ = stack_.images_dir();
    outside_ = (stack_.root() / "outside").string();
    fs::create_directories(outside_);
    std::ofstream(outside_ + "/secret.img") << "secret";
  }

  bool HaveQemuImg() {
    Result<vm::ProgramOutput> run = vm::RunProgram({"qemu-img", "--version"});
    return run.ok() && run->exit_code == 0;
  }

  http::ClientResponse CreateWith(const json& extra) {
    json spec = {{"name", Name("vm")}, {"memory_mib", 64}};
    spec.update(extra);
    return Call("POST", "/api/v1/vms", spec.dump());
  }

  // Asserts a 422 that names `field` (first) and returns its message.
  std::string Expect422(const json& extra, const std::string& field) {
    http::ClientResponse r = CreateWith(extra);
    EXPECT_EQ(r.status, 422) << extra.dump() << " " << r.body;
    EXPECT_EQ(r.Header("Content-Type"), "application/problem+json");
    json body = Body(r);
    EXPECT_EQ(body.value("field", ""), field) << r.body;
    if (!body.contains("errors") || body["errors"].empty()) return "";
    return body["errors"][0].value("message", "");
  }

  static json Base(const std::string& path) { return {{"disks", {{{"base_image", path}}}}}; }

  std::string images_;
  std::string outside_;
};

TEST_F(VmHostPathsTest, PathAttacksAre422NamingTheFieldAndCreateNothing) {
  // Another VM's disk: a real VM with a blank disk.
  http::ClientResponse victim =
      CreateWith({{"name", Name("victim")}, {"disks", {{{"size_mib", 8}}}}});
  if (victim.status != 201 && !HaveQemuImg()) GTEST_SKIP() << "qemu-img is not available";
  ASSERT_EQ(victim.status, 201) << victim.body;
  std::string victim_disk =
      stack_.disks_dir() + "/" + Body(victim)["id"].get<std::string>() + "/disk0.qcow2";
  ASSERT_TRUE(fs::exists(victim_disk));

  fs::create_symlink(outside_ + "/secret.img", images_ + "/escape.img");
  fs::create_symlink(victim_disk, images_ + "/victim.qcow2");
  ASSERT_EQ(mkfifo((images_ + "/fifo").c_str(), 0600), 0);
  fs::create_directories(images_ + "/dir");
  std::ofstream(images_ + "/vmlinuz") << "a kernel";
  const std::set<std::string> before = Tree(stack_.root());

  const std::string attacks[] = {images_ + "/../outside/secret.img",
                                 images_ + "/escape.img",
                                 victim_disk,
                                 images_ + "/victim.qcow2",
                                 "/proc/self/environ",
                                 "/etc/shadow",
                                 images_ + "/fifo",
                                 "/dev/null",
                                 images_ + "/dir"};
  for (const std::string& path : attacks) {
    SCOPED_TRACE(path);
    std::string message = Expect422(Base(path), "disks[0].base_image");
    if (path.find("..") == std::string::npos) {
      EXPECT_NE(message.find(path), std::string::npos) << message;
    }
    Expect422({{"kernel", path}}, "kernel");
    Expect422({{"kernel", images_ + "/vmlinuz"}, {"initrd", path}}, "initrd");
  }
  EXPECT_NE(Expect422(Base("/etc/shadow"), "disks[0].base_image")
                .find("is not inside an image directory (vm.image_dirs: " + images_ + ")"),
            std::string::npos);
  // Only the victim exists, and not a file appeared anywhere under the test's root.
  EXPECT_EQ(Body(Call("GET", "/api/v1/vms"))["items"].size(), 1u);
  EXPECT_EQ(Tree(stack_.root()), before);
}

TEST_F(VmHostPathsTest, AnUnusableBaseImageIs422NotA500) {
  if (!HaveQemuImg()) GTEST_SKIP() << "qemu-img is not available";
  std::ofstream(images_ + "/broken.qcow2") << std::string("QFI\xfb", 4) << std::string(200, 'x');
  std::string message = Expect422(Base(images_ + "/broken.qcow2"), "disks[0].base_image");
  EXPECT_NE(message.find("is not a usable disk image"), std::string::npos) << message;
}

TEST_F(VmHostPathsTest, AGoodBaseImageAndTheSerialLogSwitchAreAccepted) {
  Result<vm::ProgramOutput> made =
      vm::RunProgram({"qemu-img", "create", "-q", "-f", "qcow2", images_ + "/debian.qcow2", "16M"});
  if (!made.ok() || made->exit_code != 0) GTEST_SKIP() << "qemu-img is not available";
  http::ClientResponse r =
      CreateWith({{"disks", {{{"base_image", images_ + "/debian.qcow2"}}}}, {"serial_log", true}});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(Body(r)["spec"]["serial_log"], true);
  EXPECT_EQ(Body(r)["spec"]["disks"][0]["base_image"], images_ + "/debian.qcow2");
}

TEST_F(VmHostPathsTest, ASerialLogPathIsRefusedBecauseTheDaemonChoosesIt) {
  std::string message = Expect422({{"serial_log", "/etc/cron.d/evil"}}, "serial_log");
  EXPECT_NE(message.find("the daemon chooses the serial log path"), std::string::npos) << message;
  EXPECT_FALSE(fs::exists("/etc/cron.d/evil"));
}

// qemu-img hangs on "info": the create waits for the child's timeout, is answered 504 naming
// it, and the API answers other requests meanwhile.
class HungQemuImgTest : public VmHostPathsTest {
 protected:
  void TweakDriver(vm::DriverOptions& driver) override {
    fake_ = (stack_.root() / "hung-qemu-img").string();
    marker_ = (stack_.root() / "qemu-img-started").string();
    std::ofstream(fake_) << "#!/bin/sh\ntouch '" << marker_ << "'\nexec sleep 300\n";
    fs::permissions(fake_, fs::perms::owner_all);
    driver.qemu_img = fake_;
    driver.child_timeout = std::chrono::seconds(8);
  }
  std::string fake_;
  std::string marker_;
};

TEST_F(HungQemuImgTest, AHungChildFailsItsRequestNotTheApi) {
  std::ofstream(images_ + "/base.qcow2") << "anything: qemu-img never reads it";
  std::atomic<bool> create_done{false};
  http::ClientResponse create;
  std::thread creator([&] {
    create = CreateWith(Base(images_ + "/base.qcow2"));
    create_done = true;
  });
  for (int i = 0; i < 3000 && !fs::exists(marker_); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(fs::exists(marker_)) << "the fake qemu-img never ran";
  http::ClientResponse list = Call("GET", "/api/v1/vms");
  bool answered_while_hung = !create_done.load();
  creator.join();
  EXPECT_EQ(list.status, 200) << list.body;
  EXPECT_TRUE(answered_while_hung) << "the list waited for the hung create";
  EXPECT_EQ(create.status, 504) << create.body;
  EXPECT_NE(Body(create).value("detail", "").find("timed out after 8s"), std::string::npos)
      << create.body;
  EXPECT_TRUE(Body(list)["items"].empty());
}

}  // namespace
}  // namespace novacron::api
