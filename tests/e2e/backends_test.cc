// The daemon on its other backends, started for real: PostgreSQL as the state store, Redis as
// the cache; and what happens when either is not there.
#include <gtest/gtest.h>
#include <signal.h>

#include <nlohmann/json.hpp>

#include "servers/postgres_server.h"
#include "servers/redis_server.h"
#include "support/process.h"

namespace novacron::testing {
namespace {

using nlohmann::json;
using std::chrono::seconds;

json Spec(const std::string& name) {
  return {{"name", name}, {"memory_mib", 64}, {"disks", json::array({{{"size_mib", 16}}})}};
}

TEST(BackendsTest, PostgresHoldsVmRecordsAcrossRestarts) {
  if (Status s = PostgresServer::Available(); !s.ok()) GTEST_SKIP() << s.ToString();
  auto server = PostgresServer::Shared();
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  auto url = (*server)->CreateDatabase("e2e_daemon");
  ASSERT_TRUE(url.ok()) << url.status().ToString();
  TempDir dir;
  std::map<std::string, std::string> env{{"NOVACRON_STORAGE_BACKEND", "postgres"},
                                         {"NOVACRON_STORAGE_CONNECTION_STRING", *url}};
  std::string id;
  {
    DaemonProcess daemon;
    daemon.Start(dir.path() / "data", {}, env);
    uint16_t port = daemon.WaitForApi();
    ASSERT_NE(port, 0) << daemon.Stderr();
    EXPECT_TRUE(daemon.WaitForLog("\"backend\":\"postgres\"")) << daemon.Stderr();
    // The connection string's location is logged, its secrets never are.
    HttpResult created = HttpCall(port, "POST", "/api/v1/vms", Spec("e2e-pg").dump());
    ASSERT_EQ(created.status, 201) << created.body;
    id = json::parse(created.body)["id"];
    daemon.Signal(SIGTERM);
    ASSERT_EQ(daemon.WaitExit(seconds(30)), 0) << daemon.Stderr();
  }
  DaemonProcess again;
  again.Start(dir.path() / "data", {}, env);
  uint16_t port = again.WaitForApi();
  ASSERT_NE(port, 0) << again.Stderr();
  HttpResult vm = HttpGet(port, "/api/v1/vms/" + id);
  ASSERT_EQ(vm.status, 200) << vm.body;
  EXPECT_EQ(json::parse(vm.body)["name"], "e2e-pg");
}

TEST(BackendsTest, PostgresDownAtBootIsABoundedClearFailure) {
  TempDir dir;
  DaemonProcess daemon;
  // A port nothing listens on; the password must not show up anywhere.
  daemon.Start(dir.path() / "data", {},
               {{"NOVACRON_STORAGE_BACKEND", "postgres"},
                {"NOVACRON_STORAGE_CONNECTION_STRING",
                 "postgresql://novacron:s3cr3t-pw@127.0.0.1:9/novacron"},
                {"NOVACRON_STORAGE_CONNECT_TIMEOUT", "2s"}});
  std::optional<int> code = daemon.WaitExit(seconds(120));
  ASSERT_TRUE(code.has_value()) << "the daemon hangs on a database that is down";
  EXPECT_EQ(*code, 3) << daemon.Stderr();  // boot failed
  std::string err = daemon.Stderr();
  EXPECT_NE(err.find("postgres 127.0.0.1:9/novacron"), std::string::npos) << err;
  EXPECT_EQ(err.find("s3cr3t-pw"), std::string::npos) << "password leaked into the logs";
}

TEST(BackendsTest, RedisDownMeansADegradedCacheNotAFailedBoot) {
  if (std::string why = RedisServer::SkipReason(); !why.empty()) GTEST_SKIP() << why;
  RedisServer redis;
  ASSERT_TRUE(redis.Start().ok());
  TempDir dir;
  DaemonProcess daemon;
  daemon.Start(
      dir.path() / "data", {},
      {{"NOVACRON_STORAGE_CACHE_BACKEND", "redis"}, {"NOVACRON_STORAGE_REDIS_URL", redis.Url(0)}});
  uint16_t port = daemon.WaitForApi();
  ASSERT_NE(port, 0) << daemon.Stderr();
  HttpResult created = HttpCall(port, "POST", "/api/v1/vms", Spec("e2e-redis").dump());
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = json::parse(created.body)["id"];

  redis.Kill();
  // Reads and writes go on from the store; the cache reports itself degraded.
  HttpResult started = HttpCall(port, "POST", "/api/v1/vms/" + id + "/start");
  EXPECT_EQ(started.status, 202) << started.body;
  HttpResult vm = HttpGet(port, "/api/v1/vms/" + id);
  EXPECT_EQ(vm.status, 200) << vm.body;
  json status;
  for (int i = 0; i < 100; ++i) {
    status = json::parse(HttpGet(port, "/health/status").body, nullptr, false);
    if (status.is_object() && status.value("status", "") == "degraded") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(status.value("status", ""), "degraded") << status.dump();
  EXPECT_EQ(HttpGet(port, "/health/live").status, 200);
  daemon.Signal(SIGTERM);
  EXPECT_EQ(daemon.WaitExit(seconds(30)), 0) << daemon.Stderr();

  // Redis down at boot: the daemon still becomes ready, degraded.
  DaemonProcess second;
  second.Start(
      dir.path() / "data2", {},
      {{"NOVACRON_STORAGE_CACHE_BACKEND", "redis"}, {"NOVACRON_STORAGE_REDIS_URL", redis.Url(0)}});
  uint16_t second_port = second.WaitForApi();
  ASSERT_NE(second_port, 0) << second.Stderr();
  EXPECT_TRUE(second.WaitForLog("\"cache degraded\"")) << second.Stderr();
  EXPECT_EQ(HttpGet(second_port, "/api/v1/vms").status, 200);
}

}  // namespace
}  // namespace novacron::testing
