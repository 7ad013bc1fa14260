#include "cache/redis_cache.h"

#include <algorithm>
#include <utility>

namespace novacron::cache {
namespace {

const Status& StatusOf(const Status& status) { return status; }
template <typename T>
const Status& StatusOf(const Result<T>& result) {
  return result.status();
}

// SCAN MATCH takes a glob: the literal prefix must not be read as one.
std::string GlobEscape(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

RedisCache::RedisCache(RedisCacheOptions options)
    : options_(std::move(options)), backoff_(options_.reconnect_backoff_initial) {}

RedisCache::~RedisCache() = default;

std::optional<std::string> RedisCache::Get(std::string_view key) {
  auto value = TryGet(key);
  if (!value.ok()) {
    counters_.Error();
    counters_.Miss();
    return std::nullopt;
  }
  if (value->has_value()) {
    counters_.Hit();
  } else {
    counters_.Miss();
  }
  return std::move(value).value();
}

void RedisCache::Set(std::string_view key, std::string_view value, std::chrono::milliseconds ttl) {
  if (!TrySet(key, value, ttl).ok()) counters_.Error();
}

void RedisCache::Erase(std::string_view key) {
  if (!TryErase(key).ok()) counters_.Error();
}

void RedisCache::Clear(std::string_view prefix) {
  if (!TryClear(prefix).ok()) counters_.Error();
}

CacheHealth RedisCache::Health() const {
  std::lock_guard lock(mu_);
  if (last_error_.ok()) return {};
  return {.degraded = true, .detail = last_error_.message()};
}

Result<std::optional<std::string>> RedisCache::TryGet(std::string_view key) {
  std::string full_key = PrefixedKey(key);
  return WithConnection(false, [&](RedisConnection& c) { return c.Get(full_key); });
}

Status RedisCache::TrySet(std::string_view key, std::string_view value,
                          std::chrono::milliseconds ttl) {
  if (ttl <= std::chrono::milliseconds::zero()) return TryErase(key);
  std::string full_key = PrefixedKey(key);
  return WithConnection(false,
                        [&](RedisConnection& c) { return c.SetWithTtl(full_key, value, ttl); });
}

Status RedisCache::TryErase(std::string_view key) {
  std::vector<std::string> keys = {PrefixedKey(key)};
  return WithConnection(false, [&](RedisConnection& c) { return c.Del(keys); });
}

// One SCAN page per lock, so other callers interleave with a long clear.
Status RedisCache::TryClear(std::string_view prefix) {
  std::string pattern = GlobEscape(PrefixedKey(prefix)) + "*";
  std::string cursor = "0";
  do {
    NOVACRON_ASSIGN_OR_RETURN(auto page, WithConnection(false, [&](RedisConnection& c) {
                                return c.Scan(cursor, pattern);
                              }));
    NOVACRON_RETURN_IF_ERROR(
        WithConnection(false, [&](RedisConnection& c) { return c.Del(page.second); }));
    cursor = std::move(page.first);
  } while (cursor != "0");
  return Status::Ok();
}

Status RedisCache::Probe() {
  return WithConnection(true, [](RedisConnection& c) { return c.Ping(); });
}

template <typename Op>
auto RedisCache::WithConnection(bool ignore_backoff, Op op)
    -> decltype(op(std::declval<RedisConnection&>())) {
  std::lock_guard lock(mu_);
  NOVACRON_RETURN_IF_ERROR(ConnectLocked(ignore_backoff));
  auto result = op(*connection_);
  if (StatusOf(result).ok()) {
    last_error_ = Status::Ok();
    backoff_ = options_.reconnect_backoff_initial;
  } else if (connection_->broken()) {
    connection_.reset();
    NoteFailureLocked(StatusOf(result));
  } else {
    // An error reply (OOM, READONLY, ...): the server is there and the connection still good.
    last_error_ = StatusOf(result);
  }
  return result;
}

Status RedisCache::ConnectLocked(bool ignore_backoff) {
  if (connection_ != nullptr) return Status::Ok();
  if (!ignore_backoff && !last_error_.ok() && std::chrono::steady_clock::now() < next_connect_) {
    return last_error_;
  }
  auto connection = RedisConnection::Open(options_.endpoint, options_.timeouts);
  if (!connection.ok()) {
    NoteFailureLocked(connection.status());
    return connection.status();
  }
  connection_ = std::move(connection).value();
  return Status::Ok();
}

void RedisCache::NoteFailureLocked(const Status& error) {
  last_error_ = error;
  next_connect_ = std::chrono::steady_clock::now() + backoff_;
  backoff_ = std::min(backoff_ * 2, options_.reconnect_backoff_max);
}

std::string RedisCache::PrefixedKey(std::string_view key) const {
  std::string full_key = options_.key_prefix;
  full_key += key;
  return full_key;
}

}  // namespace novacron::cache
