// One hiredis connection, authenticated and on its database. Not thread-safe: RedisCache holds
// it under a mutex. After an I/O error or a timeout the connection is broken() and must be
// dropped: a late reply would otherwise answer the next command.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cache/redis_url.h"
#include "common/status.h"

struct redisContext;
struct redisReply;

namespace novacron::cache {

struct RedisTimeouts {
  std::chrono::milliseconds connect{200};
  std::chrono::milliseconds command{200};
};

class RedisConnection {
 public:
  // Connects, then AUTH and SELECT as the endpoint says. Errors are kUnavailable with a message
  // like "redis 127.0.0.1:6390 unreachable (connection refused)"; a rejected password is
  // kPermissionDenied.
  static Result<std::unique_ptr<RedisConnection>> Open(const RedisEndpoint& endpoint,
                                                       RedisTimeouts timeouts);
  ~RedisConnection();
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  // The value, or nullopt for a missing key.
  Result<std::optional<std::string>> Get(std::string_view key);
  Status SetWithTtl(std::string_view key, std::string_view value, std::chrono::milliseconds ttl);
  Status Del(const std::vector<std::string>& keys);
  // One SCAN step: the next cursor ("0" when done) and the keys matching `pattern`.
  Result<std::pair<std::string, std::vector<std::string>>> Scan(std::string_view cursor,
                                                                std::string_view pattern);
  Status Ping();

  // The socket failed or timed out; the connection is useless.
  bool broken() const;

 private:
  struct ReplyDeleter {
    void operator()(redisReply* reply) const;
  };
  using ReplyPtr = std::unique_ptr<redisReply, ReplyDeleter>;

  RedisConnection(redisContext* context, std::string address, RedisTimeouts timeouts);
  Result<ReplyPtr> Command(const std::vector<std::string_view>& args);
  Status ContextError(std::string_view during) const;

  redisContext* context_;
  std::string address_;
  RedisTimeouts timeouts_;
};

}  // namespace novacron::cache
