// `novacron secret` and enc:v1: configuration values through the built binary: real processes,
// real key files, stdin through a shell pipe.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <iterator>

#include "support/process.h"

namespace novacron::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr const char* kSecret = "Redis-Pa55-4f9c2a";

std::string Read(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

mode_t Mode(const std::filesystem::path& file) {
  struct stat st {};
  ::stat(file.c_str(), &st);
  return st.st_mode & 07777;
}

std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Runs novacron with `input` on stdin (through /bin/sh), without the caller's NOVACRON_* key.
CommandResult RunWithStdin(const TempDir& dir, const std::vector<std::string>& args,
                           const std::string& input, const std::string& env_prefix = "") {
  std::filesystem::path in = dir.Write("stdin.txt", input);
  std::string command = "env -u NOVACRON_SECRET_KEY " + env_prefix + " " + Quote(NovacronBinary());
  for (const std::string& a : args) command += " " + Quote(a);
  command += " < " + Quote(in.string()) + " > " + Quote((dir.path() / "out.txt").string()) +
             " 2> " + Quote((dir.path() / "err.txt").string());
  int status = std::system(command.c_str());
  CommandResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = Read(dir.path() / "out.txt");
  r.err = Read(dir.path() / "err.txt");
  return r;
}

std::string Keygen(const TempDir& dir, const std::string& file, const std::string& name) {
  std::string path = (dir.path() / file).string();
  CommandResult r = RunNovacron({"secret", "keygen", "--out", path, "--name", name});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return path;
}

TEST(SecretCli, KeygenWritesAPrivateKeyFileAndRefusesToOverwrite) {
  TempDir dir;
  std::string key = Keygen(dir, "k1.key", "k1");
  EXPECT_EQ(Mode(key), 0600u);
  std::string first = Read(key);
  EXPECT_THAT(first, StartsWith("novacron-secret-key v1 k1 "));

  CommandResult again = RunNovacron({"secret", "keygen", "--out", key, "--name", "k1"});
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_THAT(again.err, HasSubstr(key + " already exists"));
  EXPECT_THAT(again.err, HasSubstr("--force"));
  EXPECT_EQ(Read(key), first);

  CommandResult forced = RunNovacron({"secret", "keygen", "--out", key, "--name", "k1", "--force"});
  EXPECT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_NE(Read(key), first);
  EXPECT_EQ(Mode(key), 0600u);
}

TEST(SecretCli, EncryptFromStdinThenDecryptFromArgv) {
  TempDir dir;
  std::string key = Keygen(dir, "k1.key", "k1");
  CommandResult enc =
      RunWithStdin(dir, {"secret", "encrypt", "--key-file", key}, std::string(kSecret) + "\n");
  ASSERT_EQ(enc.exit_code, 0) << enc.err;
  EXPECT_THAT(enc.out, StartsWith("enc:v1:k1:"));
  EXPECT_THAT(enc.out + enc.err, Not(HasSubstr(kSecret)));
  std::string value = enc.out.substr(0, enc.out.find('\n'));

  CommandResult dec = RunNovacron({"secret", "decrypt", "--key-file", key, value});
  ASSERT_EQ(dec.exit_code, 0) << dec.err;
  EXPECT_EQ(dec.out, std::string(kSecret) + "\n");
}

TEST(SecretCli, EncryptFromAValueFileWithTheEnvironmentKeyThenDecryptFromStdin) {
  TempDir dir;
  std::string key = Keygen(dir, "k1.key", "k1");
  std::string key_text = Read(key);
  std::filesystem::path value_file = dir.Write("value.txt", kSecret);
  ::chmod(value_file.c_str(), 0600);
  CommandResult enc = RunNovacron({"secret", "encrypt", "--value-file", value_file.string()},
                                  {{"NOVACRON_SECRET_KEY", key_text}});
  ASSERT_EQ(enc.exit_code, 0) << enc.err;
  CommandResult dec = RunWithStdin(dir, {"secret", "decrypt", "--key-file", key}, enc.out);
  ASSERT_EQ(dec.exit_code, 0) << dec.err;
  EXPECT_EQ(dec.out, std::string(kSecret) + "\n");

  ::chmod(value_file.c_str(), 0644);
  CommandResult open = RunNovacron({"secret", "encrypt", "--value-file", value_file.string()},
                                   {{"NOVACRON_SECRET_KEY", key_text}});
  EXPECT_EQ(open.exit_code, 2);
  EXPECT_THAT(open.err, HasSubstr("chmod 600 " + value_file.string()));
}

TEST(SecretCli, WrongKeyTamperedValueAndOpenKeyFileExit2) {
  TempDir dir;
  std::string k1 = Keygen(dir, "k1.key", "k1");
  std::string k2 = Keygen(dir, "k2.key", "k2");
  CommandResult enc = RunWithStdin(dir, {"secret", "encrypt", "--key-file", k1}, kSecret);
  ASSERT_EQ(enc.exit_code, 0) << enc.err;
  std::string value = enc.out.substr(0, enc.out.find('\n'));

  CommandResult wrong = RunNovacron({"secret", "decrypt", "--key-file", k2, value});
  EXPECT_EQ(wrong.exit_code, 2);
  EXPECT_THAT(wrong.err, HasSubstr("value was encrypted with key 'k1', the loaded key is 'k2'"));
  EXPECT_THAT(wrong.out + wrong.err, Not(HasSubstr(kSecret)));

  std::string tampered = value;
  tampered[tampered.size() - 4] = tampered[tampered.size() - 4] == 'A' ? 'B' : 'A';
  CommandResult bad = RunNovacron({"secret", "decrypt", "--key-file", k1, tampered});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("authentication failed"));
  EXPECT_THAT(bad.out + bad.err, Not(HasSubstr(kSecret)));

  ::chmod(k1.c_str(), 0640);
  CommandResult open = RunNovacron({"secret", "decrypt", "--key-file", k1, value});
  EXPECT_EQ(open.exit_code, 2);
  EXPECT_THAT(open.err, HasSubstr("chmod 600 " + k1));

  CommandResult no_key = RunNovacron({"secret", "decrypt", value});
  EXPECT_EQ(no_key.exit_code, 2);
  EXPECT_THAT(no_key.err, HasSubstr("--key-file"));
}

TEST(SecretCli, ConfigWithEncryptedValuesLoadsAndShowsNoPlaintext) {
  TempDir dir;
  std::string key = Keygen(dir, "k1.key", "k1");
  CommandResult enc = RunWithStdin(dir, {"secret", "encrypt", "--key-file", key},
                                   std::string("redis://:") + kSecret + "@127.0.0.1:6379/0");
  ASSERT_EQ(enc.exit_code, 0) << enc.err;
  std::filesystem::path cfg =
      dir.Write("novacron.yaml",
                "storage:\n  redis_url: " + enc.out + "security:\n  key_file: " + key + "\n");
  std::string data_dir = (dir.path() / "data").string();
  CommandResult show = RunNovacron(
      {"config", "show", "--sources", "--config", cfg.string(), "--data-dir", data_dir});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_THAT(show.out, HasSubstr("novacron.yaml:2 (encrypted)"));
  EXPECT_THAT(show.out + show.err, Not(HasSubstr(kSecret)));
  EXPECT_THAT(show.out, Not(HasSubstr("enc:v1:")));

  // The same file with another key: exit 2, naming the file, line and key.
  std::string other = Keygen(dir, "k2.key", "k2");
  CommandResult wrong = RunNovacron({"config", "show", "--config", cfg.string(), "--data-dir",
                                     data_dir, "--set", "security.key_file=" + other});
  EXPECT_EQ(wrong.exit_code, 2);
  EXPECT_THAT(wrong.err, HasSubstr("novacron.yaml:2:14: storage.redis_url: cannot decrypt: value "
                                   "was encrypted with key 'k1', the loaded key is 'k2'"));
  EXPECT_THAT(wrong.out + wrong.err, Not(HasSubstr(kSecret)));
}

TEST(SecretCli, RotateKeyRewritesOnlyTheValuesAndTheNewKeyDecryptsThem) {
  TempDir dir;
  std::string old_key = Keygen(dir, "old.key", "old");
  std::string new_key = Keygen(dir, "new.key", "new");
  auto encrypt = [&](const std::string& plain) {
    CommandResult r = RunWithStdin(dir, {"secret", "encrypt", "--key-file", old_key}, plain);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out.substr(0, r.out.find('\n'));
  };
  std::string before =
      "# node config\nsecurity:\n  enable_auth: true\n  auth_method: token\n"
      "  api_token: \"" +
      encrypt(kSecret) +
      "\"   # rotated yearly\n"
      "storage:\n  connection_string: " +
      encrypt("postgres://u:pw@db/n") + "\n";
  std::filesystem::path cfg = dir.Write("novacron.yaml", before);
  ::chmod(cfg.c_str(), 0640);

  std::string unrelated = Keygen(dir, "other.key", "other");
  CommandResult wrong = RunNovacron({"secret", "rotate-key", "--config", cfg.string(),
                                     "--old-key-file", unrelated, "--new-key-file", new_key});
  EXPECT_EQ(wrong.exit_code, 2);
  EXPECT_THAT(wrong.err, HasSubstr("novacron.yaml:5: security.api_token: value was encrypted "
                                   "with key 'old', the loaded key is 'other'"));
  EXPECT_EQ(Read(cfg), before);

  CommandResult r = RunNovacron({"secret", "rotate-key", "--config", cfg.string(), "--old-key-file",
                                 old_key, "--new-key-file", new_key});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("re-encrypted 2 values"));
  std::string after = Read(cfg);
  EXPECT_EQ(Mode(cfg), 0640u);
  EXPECT_THAT(after, Not(HasSubstr("enc:v1:old:")));
  EXPECT_THAT(after, StartsWith("# node config\nsecurity:\n  enable_auth: true\n  auth_method: "
                                "token\n  api_token: \"enc:v1:new:"));
  EXPECT_THAT(after,
              HasSubstr("\"   # rotated yearly\nstorage:\n  connection_string: enc:v1:new:"));

  std::string data_dir = (dir.path() / "data").string();
  CommandResult show = RunNovacron({"config", "show", "--config", cfg.string(), "--data-dir",
                                    data_dir, "--set", "security.key_file=" + new_key});
  EXPECT_EQ(show.exit_code, 0) << show.err;
  size_t start = after.find("enc:v1:new:");
  std::string value = after.substr(start, after.find('"', start) - start);
  CommandResult dec = RunNovacron({"secret", "decrypt", "--key-file", new_key, value});
  EXPECT_EQ(dec.out, std::string(kSecret) + "\n");
}

}  // namespace
}  // namespace novacron::testing
