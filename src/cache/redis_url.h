// storage.redis_url: redis://[[user]:password@]host[:port][/db]. The password is a secret: it
// never appears in an error message or in Address().
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace novacron::cache {

inline constexpr std::string_view kRedisUrlKey = "storage.redis_url";
inline constexpr int kDefaultRedisPort = 6379;

struct RedisEndpoint {
  std::string host{};
  int port = kDefaultRedisPort;
  std::string username{};  // Redis 6 ACL user; empty: AUTH with the password alone
  std::string password{};  // empty: no AUTH
  int db = 0;              // SELECTed after connecting

  // "host:port" (IPv6 in brackets), for messages.
  std::string Address() const;
};

// Errors are kInvalidArgument and name storage.redis_url.
Result<RedisEndpoint> ParseRedisUrl(std::string_view url);

}  // namespace novacron::cache
