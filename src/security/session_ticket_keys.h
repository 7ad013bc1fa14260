// Session ticket keys we generate and rotate ourselves, so that a ticket cannot be decrypted
// with a key older than two rotation periods (docs/security.md, "TLS"). A new key every
// `rotation` (one hour by default); the previous key still decrypts, and a ticket it decrypts
// is renewed under the current key.
#pragma once

#include <openssl/ssl.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>

namespace novacron::security {

class SessionTicketKeys {
 public:
  using Clock = std::chrono::steady_clock;
  struct Key {
    std::array<unsigned char, 16> name{};
    std::array<unsigned char, 32> aes_key{};   // AES-256-CBC
    std::array<unsigned char, 32> hmac_key{};  // HMAC-SHA256
    Clock::time_point created;
  };

  explicit SessionTicketKeys(std::chrono::seconds rotation = std::chrono::hours(1),
                             std::function<Clock::time_point()> now = Clock::now);

  // The key new tickets are encrypted with; rotates first when the current one is too old.
  Key CurrentKey();
  // The key named `name` if it is the current or the previous one; `current` tells which.
  std::optional<Key> FindKey(const unsigned char name[16], bool* current);
  // Makes a new current key now (tests; also after a suspected key leak).
  void Rotate();

  // Installs the callback on `ctx`; `keys` must outlive every SSL of it.
  static void Install(SSL_CTX* ctx, SessionTicketKeys* keys);

 private:
  void MaybeRotateLocked();
  void RotateLocked();

  const std::chrono::seconds rotation_;
  const std::function<Clock::time_point()> now_;
  std::mutex mu_;
  Key current_;                  // guarded by mu_
  std::optional<Key> previous_;  // guarded by mu_
};

}  // namespace novacron::security
