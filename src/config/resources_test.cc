#include "config/resources.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>

#include "config/schema.h"
#include "config/temp_dir_for_test.h"

namespace novacron::config {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

TEST(ResolveResourceThresholds, Profiles) {
  ResourcesConfig r;
  ResourceThresholds t = ResolveResourceThresholds(r);
  EXPECT_EQ(t.min_cpus, 1);
  EXPECT_EQ(t.min_memory_mib, 512u);
  EXPECT_EQ(t.min_disk_free_mib, 256u);
  EXPECT_FALSE(t.require_kvm);

  r.profile = ResourceProfile::kProduction;
  t = ResolveResourceThresholds(r);
  EXPECT_EQ(t.min_cpus, 4);
  EXPECT_EQ(t.min_memory_mib, 8192u);
  EXPECT_EQ(t.min_disk_free_mib, 51200u);
  EXPECT_TRUE(t.require_kvm);

  r.min_cpus = 2;
  r.min_disk_free_mib = 1000;
  r.require_kvm = KvmRequirement::kOptional;
  t = ResolveResourceThresholds(r);
  EXPECT_EQ(t.min_cpus, 2);
  EXPECT_EQ(t.min_memory_mib, 8192u);
  EXPECT_EQ(t.min_disk_free_mib, 1000u);
  EXPECT_FALSE(t.require_kvm);

  r = {};
  r.require_kvm = KvmRequirement::kRequired;
  EXPECT_TRUE(ResolveResourceThresholds(r).require_kvm);
}

class CheckResourcesTest : public ::testing::Test {
 protected:
  CheckResourcesTest() {
    loaded_.sources.resize(Schema().size());
    loaded_.config.system.data_dir = (dir_.path() / "data").string();
  }
  std::vector<std::string> Issues(ResourceCheckOptions options = {.check_ports = false}) {
    std::vector<std::string> lines;
    for (const ConfigIssue& issue : CheckResources(loaded_, options)) {
      lines.push_back(FormatIssue(issue));
    }
    return lines;
  }

  TempDirForTest dir_;
  LoadedConfig loaded_;
};

TEST_F(CheckResourcesTest, DataDirThatCanBeCreatedOrExists) {
  EXPECT_THAT(Issues(), IsEmpty());  // does not exist yet, parent is writable
  loaded_.config.system.data_dir = (dir_.path() / "a" / "b" / "c").string();
  EXPECT_THAT(Issues(), IsEmpty());
  std::filesystem::create_directories(dir_.path() / "a");
  EXPECT_THAT(Issues(), IsEmpty());
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "a" / "b"));  // nothing is created
}

TEST_F(CheckResourcesTest, DataDirThatIsAFileOrUnderAFile) {
  std::string file = dir_.Write("plain", "x");
  loaded_.config.system.data_dir = file;
  loaded_.sources[KeyIndex(*FindKey("system.data_dir"))] = Source::Flag("--data-dir");
  EXPECT_THAT(Issues(), ElementsAre("--data-dir system.data_dir: " + file +
                                    " exists and is not a directory"));
  loaded_.config.system.data_dir = file + "/sub";
  EXPECT_THAT(Issues(),
              ElementsAre(HasSubstr("cannot be created: " + file + " is not a directory")));
}

TEST_F(CheckResourcesTest, DataDirNotWritable) {
  if (geteuid() == 0) GTEST_SKIP() << "root may write anywhere";
  std::filesystem::create_directories(dir_.path() / "ro");
  std::filesystem::permissions(
      dir_.path() / "ro", std::filesystem::perms::owner_read | std::filesystem::perms::owner_exec);
  loaded_.config.system.data_dir = (dir_.path() / "ro" / "data").string();
  EXPECT_THAT(Issues(), ElementsAre(HasSubstr("is not writable")));
  std::filesystem::permissions(dir_.path() / "ro", std::filesystem::perms::owner_all);
}

TEST_F(CheckResourcesTest, TlsFilesMustBeReadable) {
  loaded_.config.network.enable_tls = true;
  loaded_.config.network.tls_cert_path = dir_.Write("cert.pem", "-----BEGIN CERTIFICATE-----\n");
  loaded_.config.network.tls_key_path = (dir_.path() / "missing.pem").string();
  EXPECT_THAT(Issues(),
              ElementsAre("default: network.tls_key_path: " + loaded_.config.network.tls_key_path +
                          ": No such file or directory"));
  loaded_.config.network.enable_tls = false;  // unused files are not checked
  EXPECT_THAT(Issues(), IsEmpty());
}

TEST_F(CheckResourcesTest, EtcdTlsFilesMustBeReadableInEtcdMode) {
  loaded_.config.cluster.etcd_ca_file = dir_.Write("ca.pem", "-----BEGIN CERTIFICATE-----\n");
  loaded_.config.cluster.etcd_cert_file = (dir_.path() / "missing.pem").string();
  loaded_.config.cluster.etcd_key_file = dir_.path().string();
  EXPECT_THAT(Issues(), IsEmpty());  // standalone: not used, not checked
  loaded_.config.cluster.mode = ClusterMode::kEtcd;
  EXPECT_THAT(Issues(),
              ElementsAre("default: cluster.etcd_cert_file: " +
                              loaded_.config.cluster.etcd_cert_file + ": No such file or directory",
                          "default: cluster.etcd_key_file: " + dir_.path().string() +
                              " is not a regular file"));
}

TEST_F(CheckResourcesTest, PortInUseIsAWarning) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(listen(fd, 1), 0);
  socklen_t len = sizeof(addr);
  ASSERT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  int port = ntohs(addr.sin_port);

  loaded_.config.api.host = "127.0.0.1";
  loaded_.config.api.port = port;
  loaded_.config.network.bind_port = 0;  // not checked
  std::vector<ConfigIssue> issues = CheckResources(loaded_);
  close(fd);
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0].severity, Severity::kWarning);
  EXPECT_EQ(issues[0].key, "api.port");
  EXPECT_THAT(issues[0].message, HasSubstr("127.0.0.1:" + std::to_string(port) + " is in use"));
}

TEST_F(CheckResourcesTest, ListenerAddressMustBeLocal) {
  loaded_.config.api.host = "192.0.2.1";  // TEST-NET-1: never configured on a test machine
  loaded_.config.api.port = 0;
  loaded_.config.network.listen_address = "192.0.2.1";
  loaded_.config.network.bind_port = 1;  // any port; the address fails first
  std::vector<ConfigIssue> issues = CheckResources(loaded_);
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0].severity, Severity::kError);
  EXPECT_EQ(FormatIssue(issues[0]),
            "default: network.listen_address: 192.0.2.1 is not an address of this machine");
}

}  // namespace
}  // namespace novacron::config
