// The OpenAPI document: valid per the npm validator (OpenApiValidatorTest), and complete: every
// route the daemon registers is documented with the methods it answers.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "api/access_policy.h"
#include "api/api_test_server.h"
#include "api/api_v1.h"
#include "api/openapi_document.h"
#include "api/real_vm_stack_for_test.h"

namespace novacron::api {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

const fs::path kSourceDir = NOVACRON_SOURCE_DIR;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

json Document() { return json::parse(OpenApiDocument()); }

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

TEST(OpenApiDocumentTest, IsTheSourceFileAndOpenApi303) {
  EXPECT_EQ(OpenApiDocument(), ReadFile(kSourceDir / "src/api/openapi.json"));
  json doc = Document();
  EXPECT_EQ(doc["openapi"], "3.0.3");
  for (const char* schema : {"Vm", "VmSpec", "Disk", "Network", "VmList", "Node", "Problem"}) {
    EXPECT_TRUE(doc["components"]["schemas"].contains(schema)) << schema;
  }
}

TEST(OpenApiDocumentTest, EveryApiRouteIsDocumented) {
  json paths = Document()["paths"];
  for (const RouteInfo& route : ApiV1Routes()) {
    std::string pattern(route.pattern);
    ASSERT_TRUE(paths.contains(pattern)) << pattern;
    EXPECT_TRUE(paths[pattern].contains(Lower(route.method))) << route.method << " " << pattern;
  }
}

// Every route of the access table is documented with the role it needs, and every documented
// operation is in the table: the document, the middleware and the role matrix agree.
TEST(OpenApiDocumentTest, EveryOperationDeclaresTheRoleOfTheAccessTable) {
  json paths = Document()["paths"];
  size_t operations = 0;
  for (const auto& [path, item] : paths.items()) {
    for (const auto& [method, operation] : item.items()) {
      if (method == "parameters") continue;  // shared by the path's operations
      std::string upper = method;
      for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      const RouteAccess* access = FindAccess(upper, path);
      ASSERT_NE(access, nullptr) << method << " " << path << " is not in the access table";
      EXPECT_EQ(operation.value("x-required-role", ""), AccessName(access->access))
          << method << " " << path;
      bool gated = access->access == Access::kViewer || access->access == Access::kOperator ||
                   access->access == Access::kAdmin;
      if (gated) {
        EXPECT_TRUE(operation["responses"].contains("401")) << method << " " << path;
        EXPECT_TRUE(operation["responses"].contains("403")) << method << " " << path;
      }
      ++operations;
    }
  }
  EXPECT_EQ(operations, AccessTable().size());
  EXPECT_TRUE(Document()["components"]["securitySchemes"].contains("bearerAuth"));
}

// The health routes are registered by src/components (not linked here): read them from its
// source so a new one cannot go undocumented.
// TODO(lead): use a route listing from http::Router once it has one.
TEST(OpenApiDocumentTest, EveryHealthRouteIsDocumented) {
  std::string source = ReadFile(kSourceDir / "src/components/health_routes.cc");
  if (source.empty()) GTEST_SKIP() << "src/components/health_routes.cc is not in this tree";
  json paths = Document()["paths"];
  std::regex registration(R"re(\.(Get|Post|Put|Patch|Delete)\("(/[^"]*)")re");
  int found = 0;
  for (std::sregex_iterator it(source.begin(), source.end(), registration), end; it != end; ++it) {
    std::string method = Lower((*it)[1].str());
    std::string path = (*it)[2];
    ++found;
    ASSERT_TRUE(paths.contains(path)) << path;
    EXPECT_TRUE(paths[path].contains(method)) << method << " " << path;
  }
  EXPECT_GE(found, 10) << "the registration pattern no longer matches health_routes.cc";
}

// For every documented API path, the router answers exactly the documented methods (an unknown
// method's 405 lists them in Allow).
TEST(OpenApiDocumentTest, DocumentedMethodsAreExactlyTheRegisteredOnes) {
  testing::RealVmStack stack;
  Status opened = stack.Open();
  ASSERT_TRUE(opened.ok()) << opened.ToString();
  http::Router router;
  AddApiV1Routes(router, {.manager = &stack.manager(),
                          .idempotency = nullptr,
                          .log = observe::Logger::Discard(),
                          .authenticate = {}});
  std::set<std::string> api_patterns;
  for (const RouteInfo& route : ApiV1Routes()) api_patterns.insert(std::string(route.pattern));

  json doc = Document();
  for (const auto& [pattern, item] : doc["paths"].items()) {
    if (!api_patterns.contains(pattern)) continue;
    std::set<std::string> documented;
    for (const auto& [key, value] : item.items()) {
      if (key != "parameters") documented.insert(key);
    }
    http::Request request;
    request.method = "TRACE";
    request.path = std::regex_replace(pattern, std::regex(R"(\{[a-z_]+\})"), "x");
    http::Response response = router.Dispatch(request);
    ASSERT_EQ(response.status, 405) << pattern;
    std::set<std::string> allowed;
    std::stringstream allow{std::string(response.headers.Get("Allow"))};
    for (std::string method; std::getline(allow, method, ',');) {
      method.erase(0, method.find_first_not_of(' '));
      if (method != "HEAD") allowed.insert(Lower(method));
    }
    EXPECT_EQ(allowed, documented) << pattern;
  }
}

std::set<std::string> ResponseCodes(const json& doc, const std::string& path,
                                    const std::string& method) {
  std::set<std::string> codes;
  for (const auto& [code, response] : doc["paths"][path][method]["responses"].items()) {
    codes.insert(code);
  }
  return codes;
}

TEST(OpenApiDocumentTest, NamesTheContractResponseCodes) {
  json doc = Document();
  auto has = [&](const std::string& path, const std::string& method,
                 std::initializer_list<const char*> codes) {
    std::set<std::string> documented = ResponseCodes(doc, path, method);
    for (const char* code : codes) {
      EXPECT_TRUE(documented.contains(code)) << method << " " << path << " " << code;
    }
  };
  has("/api/v1/vms", "get", {"200", "400", "500", "503"});
  has("/api/v1/vms", "post", {"201", "409", "413", "415", "422", "503", "504"});
  has("/api/v1/vms/{id}", "get", {"200", "404"});
  has("/api/v1/vms/{id}", "patch", {"200", "404", "409", "412", "415", "422"});
  has("/api/v1/vms/{id}", "delete", {"204", "404", "409", "412"});
  for (const char* action : {"start", "stop", "shutdown", "reboot"}) {
    has(std::string("/api/v1/vms/{id}/") + action, "post", {"202", "404", "409", "412", "422"});
  }
  has("/api/v1/node", "get", {"200"});
  has("/health/ready", "get", {"200", "503"});
}

// Runs `command`, returns its exit status and puts stdout+stderr in `output`.
int RunCommand(const std::string& command, std::string& output) {
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return -1;
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof(buf), pipe)) > 0;) output.append(buf, n);
  int status = pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

class OpenApiValidatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string ignored;
    if (RunCommand("command -v node", ignored) != 0) GTEST_SKIP() << "node is not installed";
    if (!fs::exists(kSourceDir / "tools/openapi/node_modules/@apidevtools/swagger-parser")) {
      GTEST_SKIP() << "tools/openapi/node_modules is missing: run `npm ci --prefix "
                      "tools/openapi`";
    }
    dir_ = fs::temp_directory_path() /
           ("novacron-openapi-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ignored;
    if (!dir_.empty()) fs::remove_all(dir_, ignored);
  }

  int Validate(const std::string& document, std::string& output) {
    fs::path file = dir_ / "openapi.json";
    std::ofstream(file, std::ios::binary) << document;
    return RunCommand("node '" + (kSourceDir / "tools/openapi/validate.mjs").string() + "' '" +
                          file.string() + "'",
                      output);
  }

  fs::path dir_;
};

TEST_F(OpenApiValidatorTest, ServedDocumentIsValid) {
  testing::RealVmStack stack;
  Status opened = stack.Open();
  ASSERT_TRUE(opened.ok()) << opened.ToString();
  testing::ApiServer server({.manager = &stack.manager(),
                             .idempotency = nullptr,
                             .log = observe::Logger::Discard(),
                             .authenticate = {}});
  http::ClientResponse served = server.Call("GET", "/api/v1/openapi.json");
  ASSERT_EQ(served.status, 200);
  EXPECT_EQ(served.Header("Content-Type"), "application/json");
  EXPECT_EQ(served.body, OpenApiDocument());
  std::string output;
  EXPECT_EQ(Validate(served.body, output), 0) << output;
}

// The validator really validates: a dangling $ref and a bad type are refused.
TEST_F(OpenApiValidatorTest, RejectsBrokenDocuments) {
  json broken = Document();
  broken["paths"]["/api/v1/node"]["get"]["responses"]["200"]["content"]["application/json"]
        ["schema"] = {{"$ref", "#/components/schemas/Missing"}};
  std::string output;
  EXPECT_EQ(Validate(broken.dump(), output), 1) << output;
  EXPECT_NE(output.find("Missing"), std::string::npos) << output;

  json bad_type = Document();
  bad_type["paths"]["/api/v1/node"]["get"]["responses"] = "none";
  output.clear();
  EXPECT_EQ(Validate(bad_type.dump(), output), 1) << output;
}

}  // namespace
}  // namespace novacron::api
