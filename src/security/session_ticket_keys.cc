// Rotating TLS session ticket keys through SSL_CTX_set_tlsext_ticket_key_evp_cb (OpenSSL 3).
#include "security/session_ticket_keys.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstring>
#include <stdexcept>

namespace novacron::security {
namespace {

int ExDataIndex() {
  static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

bool SetHmacKey(EVP_MAC_CTX* hctx, std::array<unsigned char, 32>& key) {
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_KEY, key.data(), key.size()),
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_end(),
  };
  return EVP_MAC_CTX_set_params(hctx, params) == 1;
}

// OpenSSL's contract: return 1 = key found (and, when decrypting, current), 2 = found but renew
// the ticket, 0 = no such key (full handshake), -1 = error.
int TicketKeyCallback(SSL* ssl, unsigned char key_name[16], unsigned char iv[EVP_MAX_IV_LENGTH],
                      EVP_CIPHER_CTX* cctx, EVP_MAC_CTX* hctx, int enc) {
  auto* keys =
      static_cast<SessionTicketKeys*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), ExDataIndex()));
  if (keys == nullptr) return -1;
  if (enc == 1) {
    SessionTicketKeys::Key key = keys->CurrentKey();
    std::memcpy(key_name, key.name.data(), key.name.size());
    if (RAND_bytes(iv, EVP_CIPHER_get_iv_length(EVP_aes_256_cbc())) != 1) return -1;
    if (EVP_EncryptInit_ex(cctx, EVP_aes_256_cbc(), nullptr, key.aes_key.data(), iv) != 1) {
      return -1;
    }
    return SetHmacKey(hctx, key.hmac_key) ? 1 : -1;
  }
  bool current = false;
  std::optional<SessionTicketKeys::Key> key = keys->FindKey(key_name, &current);
  if (!key) return 0;
  if (!SetHmacKey(hctx, key->hmac_key)) return -1;
  if (EVP_DecryptInit_ex(cctx, EVP_aes_256_cbc(), nullptr, key->aes_key.data(), iv) != 1) {
    return -1;
  }
  return current ? 1 : 2;
}

SessionTicketKeys::Key NewKey(SessionTicketKeys::Clock::time_point now) {
  SessionTicketKeys::Key key;
  if (RAND_bytes(key.name.data(), static_cast<int>(key.name.size())) != 1 ||
      RAND_bytes(key.aes_key.data(), static_cast<int>(key.aes_key.size())) != 1 ||
      RAND_bytes(key.hmac_key.data(), static_cast<int>(key.hmac_key.size())) != 1) {
    // No randomness means no safe TLS at all; callers see it as a failed handshake.
    throw std::runtime_error("RAND_bytes failed for a session ticket key");
  }
  key.created = now;
  return key;
}

}  // namespace

SessionTicketKeys::SessionTicketKeys(std::chrono::seconds rotation,
                                     std::function<Clock::time_point()> now)
    : rotation_(rotation), now_(std::move(now)), current_(NewKey(now_())) {}

SessionTicketKeys::Key SessionTicketKeys::CurrentKey() {
  std::lock_guard lock(mu_);
  MaybeRotateLocked();
  return current_;
}

std::optional<SessionTicketKeys::Key> SessionTicketKeys::FindKey(const unsigned char name[16],
                                                                 bool* current) {
  std::lock_guard lock(mu_);
  MaybeRotateLocked();
  if (std::memcmp(name, current_.name.data(), current_.name.size()) == 0) {
    *current = true;
    return current_;
  }
  if (previous_ && std::memcmp(name, previous_->name.data(), previous_->name.size()) == 0) {
    *current = false;
    return previous_;
  }
  return std::nullopt;
}

void SessionTicketKeys::Rotate() {
  std::lock_guard lock(mu_);
  RotateLocked();
}

void SessionTicketKeys::MaybeRotateLocked() {
  Clock::duration age = now_() - current_.created;
  if (age < rotation_) return;
  RotateLocked();
  // Idle for two periods or more: the old key is too old to accept as "previous".
  if (age >= 2 * rotation_) previous_.reset();
}

void SessionTicketKeys::RotateLocked() {
  previous_ = current_;
  current_ = NewKey(now_());
}

void SessionTicketKeys::Install(SSL_CTX* ctx, SessionTicketKeys* keys) {
  SSL_CTX_set_ex_data(ctx, ExDataIndex(), keys);
  SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx, TicketKeyCallback);
}

}  // namespace novacron::security
