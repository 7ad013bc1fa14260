// Key rotation of real configuration files: only the enc:v1: values change.
#include "security/secret_rotate.h"

#include <gtest/gtest.h>

#include "security/secret_temp_dir_for_test.h"
#include "security/secret_value.h"

namespace novacron::security {
namespace {

// A fresh random key (the test fails if generation does).
SecretKey NewKey(const std::string& name) {
  Result<SecretKey> key = SecretKey::Generate(name);
  EXPECT_TRUE(key.ok()) << key.status().ToString();
  return std::move(key).value();
}

struct Keys {
  SecretKey old_key = NewKey("old");
  SecretKey new_key = NewKey("new");
};

std::string Enc(const SecretKey& key, std::string_view plain) { return *EncryptValue(key, plain); }

// Every line that holds no enc:v1: value, in order.
std::vector<std::string> PlainLines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    std::string line = text.substr(start, end - start);
    if (line.find("enc:v1:") == std::string::npos) lines.push_back(line);
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return lines;
}

TEST(SecretRotateTest, RewritesOnlyTheEncryptedValuesOfAYamlFile) {
  Keys k;
  std::string yaml =
      "# production node\nstorage:\n  backend: postgres   # primary\n"
      "  connection_string: " +
      Enc(k.old_key, "postgres://u:pw1@db/x") + "\n  redis_url: \"" +
      Enc(k.old_key, "redis://:pw2@cache:6379") + "\"\nsecurity:\n  api_token: '" +
      Enc(k.old_key, "tok3") + "'\n  trusted_nodes: [a, " + Enc(k.old_key, "b") +
      "]\napi:\n  cors_allowed_origins:\n    - https://x.example\n    - " +
      Enc(k.old_key, "https://y.example") + "\n";
  Result<RotationResult> r = RotateConfigText(yaml, "n.yaml", k.old_key, k.new_key);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->rotated, 5);
  EXPECT_EQ(r->text.find("enc:v1:old:"), std::string::npos) << r->text;
  EXPECT_EQ(PlainLines(r->text), PlainLines(yaml));
  // The new text is the old one with each value replaced in place: same quotes, same comments.
  EXPECT_NE(r->text.find("  redis_url: \"enc:v1:new:"), std::string::npos) << r->text;
  EXPECT_NE(r->text.find("  api_token: 'enc:v1:new:"), std::string::npos) << r->text;
  EXPECT_NE(r->text.find("  trusted_nodes: [a, enc:v1:new:"), std::string::npos) << r->text;

  // A second run finds nothing to do.
  Result<RotationResult> again = RotateConfigText(r->text, "n.yaml", k.old_key, k.new_key);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->rotated, 0);
  EXPECT_EQ(again->already_new, 5);
  EXPECT_EQ(again->text, r->text);
}

TEST(SecretRotateTest, RewritesJson) {
  Keys k;
  std::string json =
      "{\"security\": {\"api_token\": \"" + Enc(k.old_key, "tok") + "\", \"enable_auth\": true}}\n";
  Result<RotationResult> r = RotateConfigText(json, "n.json", k.old_key, k.new_key);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->rotated, 1);
  size_t start = r->text.find("enc:v1:new:");
  ASSERT_NE(start, std::string::npos);
  std::string value = r->text.substr(start, r->text.find('"', start) - start);
  EXPECT_EQ(*DecryptValue(k.new_key, value), "tok");
  EXPECT_EQ(r->text.substr(r->text.find('"', start)), "\", \"enable_auth\": true}}\n");
}

TEST(SecretRotateTest, WrongKeyOrTamperedValueNamesTheKeyAndLine) {
  Keys k;
  SecretKey other = NewKey("other");
  std::string yaml = "security:\n  enable_auth: true\n  api_token: " + Enc(other, "tok") + "\n";
  Result<RotationResult> r = RotateConfigText(yaml, "n.yaml", k.old_key, k.new_key);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("n.yaml:3: security.api_token: value was encrypted with "
                                      "key 'other', the loaded key is 'old'"),
            std::string::npos)
      << r.status().message();

  std::string good = Enc(k.old_key, "tok");
  good[good.size() - 3] = good[good.size() - 3] == 'A' ? 'B' : 'A';
  r = RotateConfigText("storage:\n  connection_string: " + good + "\n", "n.yaml", k.old_key,
                       k.new_key);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("n.yaml:2: storage.connection_string: "), std::string::npos)
      << r.status().message();
  EXPECT_NE(r.status().message().find("authentication failed"), std::string::npos);
}

TEST(SecretRotateTest, FileIsReplacedAtomicallyKeepingItsMode) {
  Keys k;
  SecretTempDirForTest dir;
  std::string yaml = "security:\n  api_token: " + Enc(k.old_key, "tok") + "  # the token\n";
  std::string path = dir.Write("novacron.yaml", yaml, 0640);
  Result<RotationResult> r = RotateConfigFile(path, k.old_key, k.new_key);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->rotated, 1);
  std::string after = SecretTempDirForTest::Read(path);
  EXPECT_EQ(after, r->text);
  EXPECT_EQ(SecretTempDirForTest::Mode(path), 0640u);
  EXPECT_NE(after.find("  # the token\n"), std::string::npos);

  // A failed rotation leaves the file as it was.
  std::string before = after;
  SecretKey unrelated = NewKey("x");
  SecretKey unrelated2 = NewKey("y");
  EXPECT_FALSE(RotateConfigFile(path, unrelated, unrelated2).ok());
  EXPECT_EQ(SecretTempDirForTest::Read(path), before);
  EXPECT_FALSE(RotateConfigFile((dir.path() / "missing.yaml").string(), k.old_key, k.new_key).ok());
}

TEST(SecretRotateTest, BrokenYamlIsAnErrorNamingTheFile) {
  Keys k;
  Result<RotationResult> r = RotateConfigText("a: [b\n", "n.yaml", k.old_key, k.new_key);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("n.yaml:"), std::string::npos);
}

}  // namespace
}  // namespace novacron::security
