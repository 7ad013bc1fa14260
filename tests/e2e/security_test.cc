// Security through the real daemon (docs/security.md): the role matrix over every operation of
// the OpenAPI document the daemon serves, tokens made offline, audit trail, file modes, planted
// secrets that must not show up anywhere, and the refusal to listen beyond loopback without auth.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/process.h"

namespace novacron::testing {
namespace {

using nlohmann::json;
using std::chrono::seconds;
using ::testing::HasSubstr;

std::string ReadAll(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

mode_t ModeOf(const std::filesystem::path& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

class SecurityTest : public ::testing::Test {
 protected:
  std::filesystem::path Data() const { return dir_.path() / "data"; }

  // `novacron token create`, offline against the data dir; returns the secret.
  std::string CreateToken(const std::string& role, const std::string& ttl = "") {
    std::vector<std::string> args = {"token", "create", "--role", role, "--data-dir", Data()};
    if (!ttl.empty()) args.insert(args.end(), {"--ttl", ttl});
    CommandResult r = RunNovacron(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::string secret = r.out.substr(0, r.out.find('\n'));
    EXPECT_EQ(secret.rfind("nct_", 0), 0u) << r.out;
    return secret;
  }

  std::string LastTokenId() {
    CommandResult r = RunNovacron({"token", "list", "-o", "json", "--data-dir", Data()});
    json list = json::parse(r.out, nullptr, false);
    return list.is_object() && !list["items"].empty()
               ? list["items"].back()["id"].get<std::string>()
               : "";
  }

  void StartWithAuth(std::map<std::string, std::string> env = {}) {
    env["NOVACRON_SECURITY_ENABLE_AUTH"] = "true";
    env["NOVACRON_SECURITY_AUTH_METHOD"] = "token";
    env.emplace("NOVACRON_API_RATE_LIMIT", "0");  // the matrix sends hundreds of requests
    daemon_.Start(Data(), {}, env);
    port_ = daemon_.WaitForApi();
    ASSERT_NE(port_, 0) << daemon_.Stderr();
  }

  HttpResult Call(const std::string& method, const std::string& target,
                  const std::string& authorization, const std::string& body = "") {
    std::map<std::string, std::string> headers;
    if (!authorization.empty()) headers["Authorization"] = authorization;
    return HttpCall(port_, method, target, body, headers);
  }

  TempDir dir_;
  DaemonProcess daemon_;
  uint16_t port_ = 0;
};

TEST_F(SecurityTest, RoleMatrixOverEveryDocumentedOperation) {
  const std::string viewer = CreateToken("viewer");
  const std::string op = CreateToken("operator");
  const std::string admin = CreateToken("admin");
  const std::string expired = CreateToken("admin", "1s");
  const std::string revoked = CreateToken("admin");
  CommandResult revoke = RunNovacron({"token", "revoke", LastTokenId(), "--data-dir", Data()});
  ASSERT_EQ(revoke.exit_code, 0) << revoke.err;
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // the 1 s token expires
  StartWithAuth();

  HttpResult doc = HttpGet(port_, "/api/v1/openapi.json");
  ASSERT_EQ(doc.status, 200);
  json paths = json::parse(doc.body)["paths"];
  const std::map<std::string, int> rank = {{"viewer", 0}, {"operator", 1}, {"admin", 2}};
  const std::vector<std::pair<std::string, std::string>> callers = {
      {"viewer", "Bearer " + viewer}, {"operator", "Bearer " + op}, {"admin", "Bearer " + admin}};
  const std::vector<std::pair<std::string, std::string>> refused = {
      {"no token", ""},
      {"malformed", "Bearer x"},
      {"wrong", "Bearer nct_" + std::string(43, 'Z')},
      {"expired", "Bearer " + expired},
      {"revoked", "Bearer " + revoked}};
  int operations = 0;
  for (const auto& [path_template, item] : paths.items()) {
    std::string path = path_template;
    for (size_t open; (open = path.find('{')) != std::string::npos;) {
      path.replace(open, path.find('}', open) - open + 1, "no-such-thing");
    }
    for (const auto& [method, operation] : item.items()) {
      if (method == "parameters") continue;
      ++operations;
      const std::string required = operation.value("x-required-role", "");
      ASSERT_FALSE(required.empty()) << method << " " << path_template;
      SCOPED_TRACE(Upper(method) + " " + path_template + " needs " + required);
      const bool gated = rank.count(required) != 0;
      for (const auto& [role, header] : callers) {
        int status = Call(Upper(method), path, header).status;
        if (gated && rank.at(role) < rank.at(required)) {
          EXPECT_EQ(status, 403) << role;
        } else {
          EXPECT_NE(status, 401) << role;
          EXPECT_NE(status, 403) << role;
        }
      }
      for (const auto& [what, header] : refused) {
        int status = Call(Upper(method), path, header).status;
        if (gated) {
          EXPECT_EQ(status, 401) << what;
        } else {
          EXPECT_NE(status, 401) << what;  // public, or a probe from loopback
        }
      }
    }
  }
  EXPECT_GE(operations, 25);
}

TEST_F(SecurityTest, TokensAuditAndFileModes) {
  const std::string op = CreateToken("operator");
  StartWithAuth();
  json spec = {{"name", "sec-e2e"}, {"vcpus", 1}, {"memory_mib", 64}};
  HttpResult created = Call("POST", "/api/v1/vms", "Bearer " + op, spec.dump());
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = json::parse(created.body)["id"];
  EXPECT_EQ(Call("POST", "/api/v1/vms", "Bearer nct_" + std::string(43, 'Z'), spec.dump()).status,
            401);
  EXPECT_EQ(Call("POST", "/api/v1/tokens", "Bearer " + op, "{}").status, 403);

  // The CLI's revoke reaches the running daemon within its 5 s token cache.
  CommandResult revoked = RunNovacron({"token", "revoke", LastTokenId(), "--data-dir", Data()});
  ASSERT_EQ(revoked.exit_code, 0) << revoked.err;
  int status = 0;
  for (int i = 0; i < 100 && status != 401; ++i) {
    status = Call("GET", "/api/v1/vms", "Bearer " + op).status;
    if (status != 401) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(status, 401);

  daemon_.Signal(SIGTERM);
  ASSERT_EQ(daemon_.WaitExit(), 0);
  std::string audit = ReadAll(Data() / "audit.log");
  for (const char* action : {"daemon.boot", "token.create", "vm.create", "auth.failure",
                             "auth.forbidden", "token.revoke", "daemon.shutdown"}) {
    EXPECT_THAT(audit, HasSubstr(std::string("\"action\":\"") + action + "\"")) << action;
  }
  EXPECT_THAT(audit, HasSubstr("\"target\":\"" + id + "\""));
  EXPECT_EQ(audit.find(op), std::string::npos) << "a token secret is in the audit log";
  CommandResult verified = RunNovacron({"audit", "verify", "--data-dir", Data()});
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;

  EXPECT_EQ(ModeOf(Data()), 0700u);
  for (const char* file : {"novacron.db", "audit.log"}) {
    EXPECT_EQ(ModeOf(Data() / file), 0600u) << file;
  }

  // An edited line is found.
  std::string edited = audit;
  size_t at = edited.find("\"result\":\"ok\"");
  ASSERT_NE(at, std::string::npos);
  edited.replace(at, 13, "\"result\":\"no\"");
  std::ofstream(Data() / "audit.log", std::ios::binary | std::ios::trunc) << edited;
  CommandResult tampered = RunNovacron({"audit", "verify", "--data-dir", Data()});
  EXPECT_EQ(tampered.exit_code, 1) << tampered.out << tampered.err;
}

// A known secret in each secret setting must not show up in logs, /metrics, config show, the
// API's error bodies and configuration view, the boot records or the audit log.
TEST_F(SecurityTest, PlantedSecretsAppearNowhere) {
  const std::string pg = "PlantedPgPassw0rd";
  const std::string redis = "PlantedRedisPassw0rd";
  const std::string api = "PlantedApiToken0123456789";
  std::map<std::string, std::string> env = {
      {"NOVACRON_STORAGE_CONNECTION_STRING",
       "postgresql://novacron:" + pg + "@127.0.0.1:1/novacron"},
      {"NOVACRON_STORAGE_REDIS_URL", "redis://:" + redis + "@127.0.0.1:1/0"},
      {"NOVACRON_SECURITY_API_TOKEN", api},
      {"NOVACRON_LOG_LEVEL", "debug"}};
  StartWithAuth(env);
  const std::string admin = "Bearer " + api;
  std::string seen;
  for (const auto& [method, target, auth, body] :
       std::vector<std::tuple<std::string, std::string, std::string, std::string>>{
           {"GET", "/api/v1/config", admin, ""},
           {"GET", "/api/v1/vms/nope", admin, ""},
           {"POST", "/api/v1/vms", admin, "{\"name\": 5}"},
           {"POST", "/api/v1/vms", admin, "not json"},
           {"POST", "/api/v1/tokens", admin, "{\"role\":\"root\"}"},
           {"GET", "/api/v1/vms", "Bearer " + api + "x", ""},
           {"GET", "/api/v1/vms?token=" + api, "", ""},
           {"GET", "/metrics", "", ""},
           {"GET", "/health/status", "", ""},
           {"GET", "/api/v1/audit", admin, ""}}) {
    HttpResult r = Call(method, target, auth, body);
    EXPECT_NE(r.status, 0) << target;
    seen += r.body + "\n";
  }
  EXPECT_THAT(seen, HasSubstr("********"));  // config view masks
  CommandResult show = RunNovacron({"config", "show", "--data-dir", Data()}, env);
  CommandResult boots = RunNovacron({"boots", "-o", "json", "--data-dir", Data()}, env);
  daemon_.Signal(SIGTERM);
  daemon_.WaitExit();
  const std::vector<std::pair<std::string, std::string>> places = {
      {"API answers", seen},
      {"daemon log", daemon_.Stderr()},
      {"config show", show.out + show.err},
      {"boot records", boots.out + boots.err},
      {"audit log", ReadAll(Data() / "audit.log")}};
  for (const auto& [where, text] : places) {
    for (const std::string& secret : {pg, redis, api}) {
      EXPECT_EQ(text.find(secret), std::string::npos) << secret << " leaked into the " << where;
    }
  }
}

// api.rate_limit and api.max_connections_per_client apply on SIGHUP without a restart.
TEST_F(SecurityTest, ApiLimitsApplyOnReload) {
  const std::string viewer = CreateToken("viewer");
  std::filesystem::path config = dir_.Write("novacron.yaml", "api:\n  rate_limit: 0\n");
  daemon_.Start(
      Data(), {"--config", config.string()},
      {{"NOVACRON_SECURITY_ENABLE_AUTH", "true"}, {"NOVACRON_SECURITY_AUTH_METHOD", "token"}});
  port_ = daemon_.WaitForApi();
  ASSERT_NE(port_, 0) << daemon_.Stderr();
  for (int i = 0; i < 30; ++i)
    ASSERT_EQ(Call("GET", "/api/v1/vms", "Bearer " + viewer).status, 200);
  dir_.Write("novacron.yaml", "api:\n  rate_limit: 60\n  max_connections_per_client: 8\n");
  daemon_.Signal(SIGHUP);
  ASSERT_TRUE(daemon_.WaitForLog("\"key\":\"api.max_connections_per_client\"")) << daemon_.Stderr();
  ASSERT_TRUE(daemon_.WaitForLog("\"key\":\"api.rate_limit\"")) << daemon_.Stderr();
  EXPECT_EQ(daemon_.Stderr().find("takes effect on restart"), std::string::npos);
  int limited = 0;
  for (int i = 0; i < 30; ++i) {
    limited += Call("GET", "/api/v1/vms", "Bearer " + viewer).status == 429 ? 1 : 0;
  }
  EXPECT_GE(limited, 15);  // a bucket of 10 at 60/min: most of 30 quick requests wait
}

TEST_F(SecurityTest, ListeningBeyondLoopbackWithoutAuthIsRefused) {
  CommandResult run =
      RunNovacron({"run", "--data-dir", Data(), "--listen", "0.0.0.0:0"}, {}, seconds(30));
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_THAT(run.err, HasSubstr("api.host"));
  EXPECT_THAT(run.err, HasSubstr("security.enable_auth"));
  EXPECT_FALSE(std::filesystem::exists(Data() / "api.addr"));
}

}  // namespace
}  // namespace novacron::testing
