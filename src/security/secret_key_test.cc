// Key files on a real file system: the format, modes, NOVACRON_SECRET_KEY text, atomic writes.
#include "security/secret_key.h"

#include <gtest/gtest.h>

#include "security/secret_base64.h"
#include "security/secret_file.h"
#include "security/secret_temp_dir_for_test.h"

namespace novacron::security {
namespace {

// A fresh random key (the test fails if generation does).
SecretKey NewKey(const std::string& name) {
  Result<SecretKey> key = SecretKey::Generate(name);
  EXPECT_TRUE(key.ok()) << key.status().ToString();
  return std::move(key).value();
}

std::string Message(const Status& s) { return s.message(); }

TEST(SecretKeyTest, GeneratedKeyFileRoundTrips) {
  SecretTempDirForTest dir;
  Result<SecretKey> key = SecretKey::Generate("prod-2026.1");
  ASSERT_TRUE(key.ok());
  std::string text = key->ToText();
  EXPECT_EQ(text.rfind("novacron-secret-key v1 prod-2026.1 ", 0), 0u) << text;
  std::string path = dir.Write("k.key", "# made by a test\n\n" + text, 0600);
  Result<SecretKey> loaded = SecretKey::LoadFile(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->name(), "prod-2026.1");
  EXPECT_TRUE(std::equal(loaded->bytes().begin(), loaded->bytes().end(), key->bytes().begin()));
  EXPECT_EQ(loaded->origin(), path);
}

TEST(SecretKeyTest, TwoGeneratedKeysDiffer) {
  SecretKey a = NewKey("a");
  SecretKey b = NewKey("a");
  EXPECT_FALSE(std::equal(a.bytes().begin(), a.bytes().end(), b.bytes().begin()));
}

TEST(SecretKeyTest, KeyFileModes) {
  SecretTempDirForTest dir;
  std::string text = SecretKey::Generate("k1")->ToText();
  for (mode_t mode : {0600, 0400}) {
    std::string path = dir.Write("ok.key", text, mode);
    EXPECT_TRUE(SecretKey::LoadFile(path).ok()) << std::oct << mode;
  }
  // The refusal is about the mode bits, so it holds for root too.
  for (mode_t mode : {0640, 0604, 0644, 0660, 0606, 0610}) {
    std::string path = dir.Write("open.key", text, mode);
    Result<SecretKey> key = SecretKey::LoadFile(path);
    ASSERT_FALSE(key.ok()) << std::oct << mode;
    EXPECT_EQ(key.status().code(), ErrorCode::kPermissionDenied);
    EXPECT_NE(Message(key.status()).find(path), std::string::npos) << Message(key.status());
    EXPECT_NE(Message(key.status()).find("chmod 600 " + path), std::string::npos)
        << Message(key.status());
  }
}

TEST(SecretKeyTest, MissingFileAndDirectoryAreNamed) {
  SecretTempDirForTest dir;
  std::string missing = (dir.path() / "none.key").string();
  Result<SecretKey> key = SecretKey::LoadFile(missing);
  ASSERT_FALSE(key.ok());
  EXPECT_NE(Message(key.status()).find(missing), std::string::npos);
  ::chmod(dir.path().c_str(), 0700);
  EXPECT_FALSE(SecretKey::LoadFile(dir.path().string()).ok());
}

TEST(SecretKeyTest, MalformedKeyTextIsRefusedWithoutEchoingIt) {
  const std::string secretish = "bm90LWEta2V5LWJ1dC1sb29rcy1saWtlLW9uZS0xMjM0NTY3";
  struct Case {
    std::string text;
    std::string says;
  };
  for (const Case& c : std::vector<Case>{
           {"", "holds no key"},
           {"# only a comment\n", "holds no key"},
           {"novacron-secret-key v2 k " + secretish, "version"},
           {"novacron-secret-key v1 bad:name " + secretish, "invalid key name"},
           {"novacron-secret-key v1 k " + secretish, "32 bytes"},
           {"novacron-secret-key v1 k AAAA\nnovacron-secret-key v1 j AAAA", "more than one"},
           {secretish, "not a key"},
       }) {
    Result<SecretKey> key = SecretKey::Parse(c.text, "test.key");
    ASSERT_FALSE(key.ok()) << c.text;
    EXPECT_NE(Message(key.status()).find(c.says), std::string::npos) << Message(key.status());
    EXPECT_NE(Message(key.status()).find("test.key"), std::string::npos);
    EXPECT_EQ(Message(key.status()).find(secretish), std::string::npos) << Message(key.status());
  }
}

TEST(SecretKeyTest, EnvironmentTextMayBeBareBase64NamedEnv) {
  SecretKey key = NewKey("k1");
  // Standard base64 with padding, as `openssl rand -base64 32` prints it.
  std::string standard = Base64UrlEncode(key.bytes());
  for (char& c : standard) {
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  standard += "=\n";
  Result<SecretKey> bare = LoadSecretKey(standard, "/nonexistent/ignored.key");
  ASSERT_TRUE(bare.ok()) << bare.status().ToString();
  EXPECT_EQ(bare->name(), "env");
  EXPECT_TRUE(std::equal(bare->bytes().begin(), bare->bytes().end(), key.bytes().begin()));
  Result<SecretKey> full = LoadSecretKey(key.ToText(), "");
  ASSERT_TRUE(full.ok());
  EXPECT_EQ(full->name(), "k1");
  EXPECT_EQ(full->origin(), "NOVACRON_SECRET_KEY");
  Result<SecretKey> none = LoadSecretKey(std::nullopt, "");
  ASSERT_FALSE(none.ok());
  EXPECT_NE(Message(none.status()).find("security.key_file"), std::string::npos);
}

TEST(SecretFileTest, AtomicWriteSetsModeAndRefusesToOverwriteUnlessAsked) {
  SecretTempDirForTest dir;
  std::string path = (dir.path() / "out.key").string();
  ASSERT_TRUE(WriteFileAtomically(path, "one", {.mode = 0600, .overwrite = false}).ok());
  EXPECT_EQ(SecretTempDirForTest::Read(path), "one");
  EXPECT_EQ(SecretTempDirForTest::Mode(path), 0600u);
  Status again = WriteFileAtomically(path, "two", {.mode = 0600, .overwrite = false});
  EXPECT_EQ(again.code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(SecretTempDirForTest::Read(path), "one");
  ASSERT_TRUE(WriteFileAtomically(path, "three", {.mode = 0640, .overwrite = true}).ok());
  EXPECT_EQ(SecretTempDirForTest::Read(path), "three");
  EXPECT_EQ(SecretTempDirForTest::Mode(path), 0640u);
  // No temp file is left behind.
  int entries = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
    (void)e;
    ++entries;
  }
  EXPECT_EQ(entries, 1);
  EXPECT_FALSE(WriteFileAtomically((dir.path() / "no/such/dir/f").string(), "x", {}).ok());
}

}  // namespace
}  // namespace novacron::security
