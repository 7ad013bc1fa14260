// enc:v1: values in configuration files and the environment, decrypted with real key files.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "config/loader.h"
#include "config/render.h"
#include "config/temp_dir_for_test.h"
#include "security/secret_key.h"
#include "security/secret_value.h"

namespace novacron::config {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kDbUrl = "postgres://novacron:Db-Pa55word@db.internal:5432/novacron";
constexpr const char* kToken = "tok-7f3a9c1e5b2d4a6f8e0c";

security::SecretKey NewKey(const std::string& name) {
  Result<security::SecretKey> key = security::SecretKey::Generate(name);
  EXPECT_TRUE(key.ok());
  return std::move(key).value();
}

std::string Enc(const security::SecretKey& key, const std::string& plain) {
  Result<std::string> value = security::EncryptValue(key, plain);
  EXPECT_TRUE(value.ok());
  return value.ok() ? *value : "";
}

// A key file with the given mode in `dir`.
std::string KeyFile(const TempDirForTest& dir, const security::SecretKey& key,
                    const std::string& name = "secret.key", mode_t mode = 0600) {
  std::string path = dir.Write(name, key.ToText());
  ::chmod(path.c_str(), mode);
  return path;
}

LoadOptions WithYaml(const std::string& text) {
  LoadOptions options;
  options.hostname = "node-a";
  options.working_dir = "/srv/novacron";
  options.config_texts.push_back({"novacron.yaml", text});
  return options;
}

// Every error of a load that must fail, one per line.
std::string Errors(const LoadOptions& options) {
  std::vector<ConfigIssue> issues;
  Result<LoadedConfig> loaded = LoadConfig(options, &issues);
  EXPECT_FALSE(loaded.ok());
  std::string out;
  for (const ConfigIssue& issue : issues) {
    if (issue.severity == Severity::kError) out += FormatIssue(issue) + "\n";
  }
  return out;
}

TEST(SecretValues, FileValuesDecryptWithTheKeyFileNamedLaterInTheFile) {
  TempDirForTest dir;
  security::SecretKey key = NewKey("k1");
  std::string key_file = KeyFile(dir, key);
  LoadOptions options = WithYaml(
      "storage:\n  backend: postgres\n  connection_string: " + Enc(key, kDbUrl) +
      "\nsecurity:\n  api_token: \"" + Enc(key, kToken) + "\"\n  key_file: " + key_file + "\n");
  Result<LoadedConfig> loaded = LoadConfig(options);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_EQ(loaded->config.storage.connection_string, kDbUrl);
  EXPECT_EQ(loaded->config.security.api_token, kToken);
  EXPECT_EQ(loaded->SourceOf("storage.connection_string").ToString(),
            "novacron.yaml:3 (encrypted)");
  EXPECT_TRUE(loaded->warnings.empty());
  for (Format format : {Format::kYaml, Format::kJson}) {
    for (bool sources : {false, true}) {
      std::string shown = RenderConfig(*loaded, format, sources);
      EXPECT_THAT(shown, Not(HasSubstr("Pa55word")));
      EXPECT_THAT(shown, Not(HasSubstr(kToken)));
      EXPECT_THAT(shown, Not(HasSubstr("enc:v1:")));
    }
  }
}

TEST(SecretValues, EnvironmentKeyOverridesTheKeyFile) {
  TempDirForTest dir;
  security::SecretKey file_key = NewKey("file-key");
  security::SecretKey env_key = NewKey("env-key");
  LoadOptions options = WithYaml("security:\n  api_token: " + Enc(env_key, kToken) +
                                 "\n  key_file: " + KeyFile(dir, file_key) + "\n");
  options.env["NOVACRON_SECRET_KEY"] = env_key.ToText();
  Result<LoadedConfig> loaded = LoadConfig(options);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_EQ(loaded->config.security.api_token, kToken);
  EXPECT_TRUE(loaded->warnings.empty()) << FormatIssues(loaded->warnings);
}

TEST(SecretValues, EnvironmentValuesAndListItemsDecrypt) {
  TempDirForTest dir;
  security::SecretKey key = NewKey("k1");
  LoadOptions options = WithYaml("api:\n  cors_allowed_origins:\n    - https://a.example\n    - " +
                                 Enc(key, "https://b.example") + "\nvm:\n  hypervisor_uri: " +
                                 Enc(key, "qemu+ssh://root@hv1/system") + "\n");
  options.env["NOVACRON_SECURITY_API_TOKEN"] = Enc(key, kToken);
  options.env["NOVACRON_SECURITY_KEY_FILE"] = KeyFile(dir, key);
  Result<LoadedConfig> loaded = LoadConfig(options);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_EQ(loaded->config.security.api_token, kToken);
  EXPECT_EQ(loaded->config.api.cors_allowed_origins,
            (std::vector<std::string>{"https://a.example", "https://b.example"}));
  EXPECT_EQ(loaded->config.vm.hypervisor_uri, "qemu+ssh://root@hv1/system");
  // Not secret keys, but they were encrypted: `config show` masks them too.
  std::string shown = RenderConfig(*loaded, Format::kYaml, true);
  EXPECT_THAT(shown, Not(HasSubstr("root@hv1")));
  EXPECT_THAT(shown, Not(HasSubstr("b.example")));
  EXPECT_THAT(shown, HasSubstr("(encrypted)"));
}

TEST(SecretValues, TamperedValueIsAnErrorNamingKeyAndLineWithoutThePlaintext) {
  TempDirForTest dir;
  security::SecretKey key = NewKey("k1");
  std::string value = Enc(key, kDbUrl);
  value[value.size() - 5] = value[value.size() - 5] == 'A' ? 'B' : 'A';
  std::string errors =
      Errors(WithYaml("security:\n  key_file: " + KeyFile(dir, key) +
                      "\nstorage:\n  backend: postgres\n  connection_string: " + value + "\n"));
  EXPECT_THAT(errors, HasSubstr("novacron.yaml:5:22: storage.connection_string: cannot decrypt: "
                                "authentication failed"));
  EXPECT_THAT(errors, Not(HasSubstr("Pa55word")));
}

TEST(SecretValues, WrongKeyNameIsNamed) {
  TempDirForTest dir;
  security::SecretKey k1 = NewKey("k1");
  security::SecretKey k2 = NewKey("k2");
  std::string errors = Errors(WithYaml("security:\n  api_token: " + Enc(k1, kToken) +
                                       "\n  key_file: " + KeyFile(dir, k2) + "\n"));
  EXPECT_THAT(errors, HasSubstr("novacron.yaml:2:14: security.api_token: cannot decrypt: value "
                                "was encrypted with key 'k1', the loaded key is 'k2'"));
}

TEST(SecretValues, MissingKeyAndOpenKeyFileAreExplained) {
  TempDirForTest dir;
  security::SecretKey key = NewKey("k1");
  std::string yaml = "security:\n  api_token: " + Enc(key, kToken) + "\n";
  EXPECT_THAT(Errors(WithYaml(yaml)),
              HasSubstr("novacron.yaml:2:14: security.api_token: the value is encrypted "
                        "(enc:v1:) but no key is configured: set security.key_file"));

  std::string open_file = KeyFile(dir, key, "open.key", 0644);
  std::string errors = Errors(WithYaml(yaml + "  key_file: " + open_file + "\n"));
  EXPECT_THAT(errors,
              HasSubstr("novacron.yaml:3:13: security.key_file: " + open_file + " has mode 0644"));
  EXPECT_THAT(errors, HasSubstr("chmod 600 " + open_file));
  EXPECT_THAT(errors, HasSubstr("security.api_token: cannot decrypt"));

  LoadOptions bad_env = WithYaml(yaml);
  bad_env.env["NOVACRON_SECRET_KEY"] = "not a key";
  EXPECT_THAT(Errors(bad_env),
              HasSubstr("env NOVACRON_SECRET_KEY: NOVACRON_SECRET_KEY: not a key"));
}

TEST(SecretValues, APlainValueFromALaterLayerWinsWithoutAKey) {
  security::SecretKey key = NewKey("k1");
  LoadOptions options = WithYaml("security:\n  api_token: " + Enc(key, kToken) + "\n");
  options.flags.set.push_back("security.api_token=plain-token");
  Result<LoadedConfig> loaded = LoadConfig(options);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_EQ(loaded->config.security.api_token, "plain-token");
  EXPECT_FALSE(loaded->SourceOf("security.api_token").encrypted);
}

TEST(SecretValues, ADecryptedValueThatFailsItsCheckIsNotEchoed) {
  TempDirForTest dir;
  security::SecretKey key = NewKey("k1");
  std::string errors = Errors(WithYaml("api:\n  host: " + Enc(key, "10.9.8.7:80") +
                                       "\nsecurity:\n  key_file: " + KeyFile(dir, key) + "\n"));
  EXPECT_THAT(errors, HasSubstr("novacron.yaml:2:9: api.host: decrypted value: "));
  EXPECT_THAT(errors, Not(HasSubstr("10.9.8.7")));
}

TEST(SecretValues, TheKeyFileItselfCannotBeEncrypted) {
  security::SecretKey key = NewKey("k1");
  std::string errors =
      Errors(WithYaml("security:\n  key_file: " + Enc(key, "/etc/novacron/secret.key") + "\n"));
  EXPECT_THAT(errors, HasSubstr("security.key_file: cannot be encrypted"));
}

}  // namespace
}  // namespace novacron::config
