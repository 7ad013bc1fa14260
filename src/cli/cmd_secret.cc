// novacron secret keygen | encrypt | decrypt | rotate-key: enc:v1: values for configuration
// files (docs/security.md, "Secrets in configuration files"). Plaintext is read from stdin or a
// file, never from argv, which every local user can see in `ps`.
#include <termios.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <iterator>
#include <memory>
#include <optional>

#include "cli/commands.h"
#include "security/secret_file.h"
#include "security/secret_key.h"
#include "security/secret_rotate.h"
#include "security/secret_value.h"

namespace novacron::cli {
namespace {

// Bad input, a bad key, a value that does not decrypt: exit 2; the system failing us: exit 1.
int ExitCodeFor(const Status& status) {
  switch (status.code()) {
    case ErrorCode::kInternal:
    case ErrorCode::kUnavailable:
      return kExitFailed;
    default:
      return kExitUsage;
  }
}

int Fail(const Status& status) {
  std::cerr << "novacron: " << status.message() << "\n";
  return ExitCodeFor(status);
}

// --key-file wins, then NOVACRON_SECRET_KEY (the same rule as the daemon, with the flag on top).
Result<security::SecretKey> KeyFor(const std::string& key_file) {
  if (!key_file.empty()) return security::SecretKey::LoadFile(key_file);
  const char* env = std::getenv(std::string(security::kSecretKeyVariable).c_str());
  if (env != nullptr && *env != '\0') return security::LoadSecretKey(std::string(env), "");
  return InvalidArgument(
      "no key: pass --key-file FILE or set NOVACRON_SECRET_KEY (make a key with `novacron "
      "secret keygen --out FILE`)");
}

// Turns terminal echo off while a secret is typed, and back on.
class NoEcho {
 public:
  NoEcho() {
    if (::isatty(STDIN_FILENO) == 1 && ::tcgetattr(STDIN_FILENO, &saved_) == 0) {
      termios quiet = saved_;
      quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
      active_ = ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
    }
  }
  ~NoEcho() {
    if (active_) ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_);
  }
  NoEcho(const NoEcho&) = delete;
  NoEcho& operator=(const NoEcho&) = delete;

 private:
  termios saved_{};
  bool active_ = false;
};

std::string ReadStdin() {
  return std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
}

// `echo secret | novacron secret encrypt`: the newline echo adds is not part of the value.
void DropOneTrailingNewline(std::string& s) {
  if (!s.empty() && s.back() == '\n') s.pop_back();
  if (!s.empty() && s.back() == '\r') s.pop_back();
}

std::string Trim(std::string s) {
  const char* space = " \t\r\n";
  s.erase(0, s.find_first_not_of(space));
  s.erase(s.find_last_not_of(space) + 1);
  return s;
}

std::string DefaultKeyName() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "key-%Y%m%d-%H%M%S", &tm);
  return buf;
}

void AddKeygen(CLI::App& secret, int& exit_code) {
  struct Options {
    std::string out;
    std::string name;
    bool force = false;
  };
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = secret.add_subcommand(
      "keygen",
      "Make a random 256-bit key file (mode 0600, written atomically) for enc:v1: values; "
      "point security.key_file at it");
  cmd->add_option("-o,--out", opts->out, "Key file to write")->required()->type_name("FILE");
  cmd->add_option("--name", opts->name,
                  "Key name, written into every value it encrypts (default key-YYYYMMDD-HHMMSS)");
  cmd->add_flag("--force", opts->force, "Replace FILE if it exists");
  cmd->callback([opts, &exit_code] {
    Result<security::SecretKey> key =
        security::SecretKey::Generate(opts->name.empty() ? DefaultKeyName() : opts->name);
    if (!key.ok()) {
      exit_code = Fail(key.status());
      return;
    }
    Status written = security::WriteFileAtomically(opts->out, key->ToText(),
                                                   {.mode = 0600, .overwrite = opts->force});
    if (written.code() == ErrorCode::kAlreadyExists) {
      exit_code = Fail(AlreadyExists(written.message() + " (pass --force to replace it)"));
      return;
    }
    if (!written.ok()) {
      exit_code = Fail(written);
      return;
    }
    std::cerr << "novacron: wrote key '" << key->name() << "' to " << opts->out
              << " (mode 0600); set security.key_file: " << opts->out << "\n";
    exit_code = kExitOk;
  });
}

void AddEncrypt(CLI::App& secret, int& exit_code) {
  struct Options {
    std::string key_file;
    std::string value_file;
  };
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = secret.add_subcommand(
      "encrypt",
      "Encrypt a value read from stdin (or --value-file; one trailing newline is dropped) and "
      "print it as enc:v1:KEY:... for a configuration file");
  cmd->add_option("-k,--key-file", opts->key_file, "Key file (default: NOVACRON_SECRET_KEY)")
      ->type_name("FILE");
  cmd->add_option("--value-file", opts->value_file, "Read the plaintext from FILE")
      ->type_name("FILE");
  cmd->callback([opts, &exit_code] {
    Result<security::SecretKey> key = KeyFor(opts->key_file);
    if (!key.ok()) {
      exit_code = Fail(key.status());
      return;
    }
    std::string plain;
    if (!opts->value_file.empty()) {
      // The same rule as key files: a plaintext secret must not be readable by others.
      Result<std::string> content = security::ReadPrivateFile(opts->value_file, 1 << 20);
      if (!content.ok()) {
        exit_code = Fail(content.status());
        return;
      }
      plain = std::move(content).value();
    } else {
      if (::isatty(STDIN_FILENO) == 1) std::cerr << "Value (not shown; end with Ctrl-D): ";
      NoEcho no_echo;
      plain = ReadStdin();
    }
    DropOneTrailingNewline(plain);
    Result<std::string> value = security::EncryptValue(*key, plain);
    std::fill(plain.begin(), plain.end(), '\0');
    if (!value.ok()) {
      exit_code = Fail(value.status());
      return;
    }
    std::cout << *value << "\n";
    exit_code = kExitOk;
  });
}

void AddDecrypt(CLI::App& secret, int& exit_code) {
  struct Options {
    std::string key_file;
    std::string value;
  };
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = secret.add_subcommand(
      "decrypt", "Print the plaintext of an enc:v1: value (from the argument or stdin)");
  cmd->add_option("-k,--key-file", opts->key_file, "Key file (default: NOVACRON_SECRET_KEY)")
      ->type_name("FILE");
  cmd->add_option("value", opts->value, "The enc:v1: value (default: read from stdin)");
  cmd->callback([opts, &exit_code] {
    Result<security::SecretKey> key = KeyFor(opts->key_file);
    if (!key.ok()) {
      exit_code = Fail(key.status());
      return;
    }
    std::string value = Trim(opts->value.empty() ? ReadStdin() : opts->value);
    Result<std::string> plain = security::DecryptValue(*key, value);
    if (!plain.ok()) {
      exit_code = Fail(plain.status());
      return;
    }
    std::cout << *plain << "\n";
    exit_code = kExitOk;
  });
}

void AddRotateKey(CLI::App& secret, int& exit_code) {
  struct Options {
    std::string config;
    std::string old_key_file;
    std::string new_key_file;
  };
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = secret.add_subcommand(
      "rotate-key",
      "Re-encrypt every enc:v1: value of a configuration file under a new key, in place and "
      "atomically (temp file, fsync, rename; the file's mode is kept, all else byte for byte). "
      "Then point security.key_file at the new key.");
  cmd->add_option("-c,--config", opts->config, "Configuration file to rewrite")
      ->required()
      ->type_name("FILE");
  cmd->add_option("--old-key-file", opts->old_key_file, "The key the values are encrypted with")
      ->required()
      ->type_name("FILE");
  cmd->add_option("--new-key-file", opts->new_key_file, "The key to encrypt them with")
      ->required()
      ->type_name("FILE");
  cmd->callback([opts, &exit_code] {
    Result<security::SecretKey> old_key = security::SecretKey::LoadFile(opts->old_key_file);
    if (!old_key.ok()) {
      exit_code = Fail(old_key.status());
      return;
    }
    Result<security::SecretKey> new_key = security::SecretKey::LoadFile(opts->new_key_file);
    if (!new_key.ok()) {
      exit_code = Fail(new_key.status());
      return;
    }
    Result<security::RotationResult> rotated =
        security::RotateConfigFile(opts->config, *old_key, *new_key);
    if (!rotated.ok()) {
      exit_code = Fail(rotated.status());
      return;
    }
    std::cout << "re-encrypted " << rotated->rotated << " value"
              << (rotated->rotated == 1 ? "" : "s") << " in " << opts->config << " with key '"
              << new_key->name() << "'";
    if (rotated->already_new > 0) {
      std::cout << " (" << rotated->already_new << " already used it)";
    }
    std::cout << "\n";
    exit_code = kExitOk;
  });
}

}  // namespace

void AddSecretCommand(CLI::App& app, int& exit_code) {
  CLI::App* secret = app.add_subcommand(
      "secret",
      "Encrypted values (enc:v1:, AES-256-GCM) for configuration files: keygen, encrypt, "
      "decrypt, rotate-key");
  secret->require_subcommand(1);
  AddKeygen(*secret, exit_code);
  AddEncrypt(*secret, exit_code);
  AddDecrypt(*secret, exit_code);
  AddRotateKey(*secret, exit_code);
}

}  // namespace novacron::cli
