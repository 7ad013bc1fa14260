// AES-256-GCM encryption of enc:v1: values with OpenSSL EVP (see secret_value.h).
#include "security/secret_value.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <memory>
#include <vector>

#include "security/secret_base64.h"

namespace novacron::security {
namespace {

constexpr size_t kNonceBytes = 12;  // 96 bits: the GCM nonce size that needs no hashing
constexpr size_t kTagBytes = 16;
// A configuration value; larger input is a mistake, and it keeps int conversions safe.
constexpr size_t kMaxPlaintextBytes = 1 << 20;

struct CipherContextFree {
  void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, CipherContextFree>;

// Plaintext bytes are wiped before the memory is released.
struct WipedBuffer {
  std::vector<unsigned char> bytes;
  explicit WipedBuffer(size_t size) : bytes(size) {}
  ~WipedBuffer() {
    if (!bytes.empty()) OPENSSL_cleanse(bytes.data(), bytes.size());
  }
};

std::string Header(std::string_view key_name) {
  return std::string(kEncryptedPrefix) + std::string(key_name);
}

struct ParsedValue {
  std::string key_name;
  std::string header;
  std::vector<uint8_t> blob;  // nonce | ciphertext | tag
};

Result<ParsedValue> Parse(std::string_view value) {
  if (!IsEncryptedValue(value)) {
    return InvalidArgument("malformed encrypted value: it does not start with 'enc:v1:'");
  }
  std::string_view rest = value.substr(kEncryptedPrefix.size());
  size_t colon = rest.find(':');
  if (colon == std::string_view::npos) {
    return InvalidArgument(
        "malformed encrypted value: expected enc:v1:KEY-NAME:BASE64URL (no ':' after the key "
        "name)");
  }
  ParsedValue parsed;
  parsed.key_name = std::string(rest.substr(0, colon));
  if (!IsValidKeyName(parsed.key_name)) {
    return InvalidArgument("malformed encrypted value: invalid key name in the header");
  }
  parsed.header = Header(parsed.key_name);
  auto blob = Base64UrlDecode(rest.substr(colon + 1));
  if (!blob.has_value()) {
    return InvalidArgument(
        "malformed encrypted value: the part after the key name is not base64url (was it cut "
        "or re-wrapped?)");
  }
  if (blob->size() < kNonceBytes + kTagBytes) {
    return InvalidArgument("malformed encrypted value: too short to hold a nonce and a tag");
  }
  parsed.blob = std::move(*blob);
  return parsed;
}

Status OpenSslError(std::string_view what) {
  return Internal("AES-256-GCM " + std::string(what) + " failed in OpenSSL");
}

}  // namespace

bool IsEncryptedValue(std::string_view text) {
  return text.substr(0, kEncryptedPrefix.size()) == kEncryptedPrefix;
}

Result<std::string> EncryptedKeyName(std::string_view value) {
  Result<ParsedValue> parsed = Parse(value);
  if (!parsed.ok()) return parsed.status();
  return std::move(parsed->key_name);
}

Result<std::string> EncryptValue(const SecretKey& key, std::string_view plaintext) {
  if (plaintext.size() > kMaxPlaintextBytes) {
    return InvalidArgument("the value to encrypt is larger than 1 MiB");
  }
  const std::string header = Header(key.name());
  std::vector<uint8_t> blob(kNonceBytes + plaintext.size() + kTagBytes);
  if (RAND_bytes(blob.data(), static_cast<int>(kNonceBytes)) != 1) {
    return Internal("cannot make a nonce: the OpenSSL random generator failed");
  }
  CipherContext ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kNonceBytes, nullptr) != 1 ||
      EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, key.bytes().data(), blob.data()) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &len,
                        reinterpret_cast<const unsigned char*>(header.data()),
                        static_cast<int>(header.size())) != 1) {
    return OpenSslError("setup");
  }
  unsigned char* out = blob.data() + kNonceBytes;
  if (EVP_EncryptUpdate(ctx.get(), out, &len,
                        reinterpret_cast<const unsigned char*>(plaintext.data()),
                        static_cast<int>(plaintext.size())) != 1) {
    return OpenSslError("encryption");
  }
  int total = len;
  if (EVP_EncryptFinal_ex(ctx.get(), out + total, &len) != 1) return OpenSslError("encryption");
  total += len;
  if (static_cast<size_t>(total) != plaintext.size() ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes, out + total) != 1) {
    return OpenSslError("tag");
  }
  return header + ":" + Base64UrlEncode(blob);
}

Result<std::string> DecryptValue(const SecretKey& key, std::string_view value) {
  Result<ParsedValue> parsed = Parse(value);
  if (!parsed.ok()) return parsed.status();
  if (parsed->key_name != key.name()) {
    return InvalidArgument("value was encrypted with key '" + parsed->key_name +
                           "', the loaded key is '" + key.name() + "' (from " + key.origin() + ")");
  }
  const std::vector<uint8_t>& blob = parsed->blob;
  size_t cipher_bytes = blob.size() - kNonceBytes - kTagBytes;
  if (cipher_bytes > kMaxPlaintextBytes) {
    return InvalidArgument("malformed encrypted value: larger than 1 MiB");
  }
  const unsigned char* nonce = blob.data();
  const unsigned char* ciphertext = nonce + kNonceBytes;
  // OpenSSL's tag setter takes a non-const pointer; it only reads it.
  std::vector<unsigned char> tag(ciphertext + cipher_bytes, ciphertext + cipher_bytes + kTagBytes);
  WipedBuffer plain(cipher_bytes + 1);  // +1: never a zero-sized buffer
  CipherContext ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kNonceBytes, nullptr) != 1 ||
      EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, key.bytes().data(), nonce) != 1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &len,
                        reinterpret_cast<const unsigned char*>(parsed->header.data()),
                        static_cast<int>(parsed->header.size())) != 1 ||
      EVP_DecryptUpdate(ctx.get(), plain.bytes.data(), &len, ciphertext,
                        static_cast<int>(cipher_bytes)) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, tag.data()) != 1) {
    return OpenSslError("setup");
  }
  int total = len;
  if (EVP_DecryptFinal_ex(ctx.get(), plain.bytes.data() + total, &len) != 1) {
    return InvalidArgument("authentication failed: the value was altered, or key '" + key.name() +
                           "' (from " + key.origin() + ") is not the key it was encrypted with");
  }
  total += len;
  return std::string(reinterpret_cast<const char*>(plain.bytes.data()), static_cast<size_t>(total));
}

}  // namespace novacron::security
