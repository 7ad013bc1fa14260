#include "security/api_token.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>

#include "security/secret_base64.h"

namespace novacron::security {
namespace {

constexpr size_t kSecretBytes = 32;  // 256 bits
constexpr size_t kSecretChars = 43;  // base64url of 32 bytes, unpadded
constexpr size_t kIdBytes = 8;       // "tok_" + 16 hex digits
constexpr size_t kMaxNameLength = 64;

constexpr std::string_view kBase64Url =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string Hex(const unsigned char* data, size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (size_t i = 0; i < size; ++i) {
    out += kDigits[data[i] >> 4];
    out += kDigits[data[i] & 15];
  }
  return out;
}

Status RandomBytes(unsigned char* out, size_t size) {
  if (RAND_bytes(out, static_cast<int>(size)) != 1) {
    return Internal("cannot generate a token: the system random generator failed");
  }
  return Status::Ok();
}

}  // namespace

std::string HashTokenSecret(std::string_view secret) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  EVP_Digest(secret.data(), secret.size(), digest.data(), &length, EVP_sha256(), nullptr);
  return Hex(digest.data(), length);
}

bool IsWellFormedTokenSecret(std::string_view secret) {
  if (secret.size() != kTokenPrefix.size() + kSecretChars) return false;
  if (secret.substr(0, kTokenPrefix.size()) != kTokenPrefix) return false;
  for (char c : secret.substr(kTokenPrefix.size())) {
    if (kBase64Url.find(c) == std::string_view::npos) return false;
  }
  return true;
}

std::string CheckTokenName(std::string_view name) {
  if (name.empty()) return "must not be empty";
  if (name.size() > kMaxNameLength) {
    return "must be at most " + std::to_string(kMaxNameLength) + " characters";
  }
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f) return "must not contain control characters";
  }
  if (name.front() == ' ' || name.back() == ' ') return "must not start or end with a space";
  return "";
}

Result<IssuedToken> IssueToken(store::TokenStore& tokens, const NewToken& request,
                               std::chrono::system_clock::time_point now) {
  if (std::string why = CheckTokenName(request.name); !why.empty()) {
    return InvalidArgument("token name " + why);
  }
  if (request.ttl && request.ttl->count() <= 0) {
    return InvalidArgument("token ttl must be positive");
  }
  std::array<unsigned char, kSecretBytes> secret_bytes{};
  std::array<unsigned char, kIdBytes> id_bytes{};
  NOVACRON_RETURN_IF_ERROR(RandomBytes(secret_bytes.data(), secret_bytes.size()));
  NOVACRON_RETURN_IF_ERROR(RandomBytes(id_bytes.data(), id_bytes.size()));
  IssuedToken issued;
  issued.secret = std::string(kTokenPrefix) + Base64UrlEncode(secret_bytes);
  OPENSSL_cleanse(secret_bytes.data(), secret_bytes.size());
  store::TokenRecord record;
  record.id = "tok_" + Hex(id_bytes.data(), id_bytes.size());
  record.name = request.name;
  record.role = std::string(RoleName(request.role));
  record.hash = HashTokenSecret(issued.secret);
  record.created_by = request.created_by;
  if (request.ttl) record.expires_at = now + *request.ttl;
  NOVACRON_ASSIGN_OR_RETURN(issued.record, tokens.Create(record));
  return issued;
}

}  // namespace novacron::security
