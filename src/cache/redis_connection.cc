#include "cache/redis_connection.h"

#include <hiredis/hiredis.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>

#include <cctype>
#include <cerrno>

namespace novacron::cache {
namespace {

timeval ToTimeval(std::chrono::milliseconds ms) {
  auto count = std::max<int64_t>(ms.count(), 1);
  return {.tv_sec = static_cast<time_t>(count / 1000),
          .tv_usec = static_cast<suseconds_t>((count % 1000) * 1000)};
}

// hiredis writes with write(2): a peer that went away raises SIGPIPE, which would end the
// process. Blocks it in this thread for the duration and consumes one this write raised.
class SigpipeGuard {
 public:
  SigpipeGuard() {
    sigemptyset(&sigpipe_);
    sigaddset(&sigpipe_, SIGPIPE);
    blocked_ = pthread_sigmask(SIG_BLOCK, &sigpipe_, &old_mask_) == 0;
    if (blocked_) was_pending_ = IsPending();
  }
  ~SigpipeGuard() {
    if (!blocked_) return;
    if (!was_pending_ && IsPending()) {
      const timespec zero{};
      while (sigtimedwait(&sigpipe_, nullptr, &zero) == -1 && errno == EINTR) {
      }
    }
    pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
  }
  SigpipeGuard(const SigpipeGuard&) = delete;
  SigpipeGuard& operator=(const SigpipeGuard&) = delete;

 private:
  static bool IsPending() {
    sigset_t pending;
    sigemptyset(&pending);
    return sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE) == 1;
  }

  sigset_t sigpipe_;
  sigset_t old_mask_;
  bool blocked_ = false;
  bool was_pending_ = false;
};

std::string LowerFirst(std::string text) {
  if (!text.empty()) text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  return text;
}

std::string ReplyText(const redisReply* reply) { return std::string(reply->str, reply->len); }

}  // namespace

void RedisConnection::ReplyDeleter::operator()(redisReply* reply) const { freeReplyObject(reply); }

RedisConnection::RedisConnection(redisContext* context, std::string address, RedisTimeouts timeouts)
    : context_(context), address_(std::move(address)), timeouts_(timeouts) {}

RedisConnection::~RedisConnection() { redisFree(context_); }

Result<std::unique_ptr<RedisConnection>> RedisConnection::Open(const RedisEndpoint& endpoint,
                                                               RedisTimeouts timeouts) {
  std::string address = endpoint.Address();
  redisContext* context =
      redisConnectWithTimeout(endpoint.host.c_str(), endpoint.port, ToTimeval(timeouts.connect));
  if (context == nullptr) {
    return Unavailable("redis " + address + " unreachable (out of memory for the context)");
  }
  if (context->err != 0) {
    Status error =
        Unavailable("redis " + address + " unreachable (" + LowerFirst(context->errstr) + ")");
    redisFree(context);
    return error;
  }
  // From here the connection owns the context.
  std::unique_ptr<RedisConnection> connection(new RedisConnection(context, address, timeouts));
  if (redisSetTimeout(context, ToTimeval(timeouts.command)) != REDIS_OK) {
    return connection->ContextError("setting the command timeout");
  }
  if (!endpoint.password.empty()) {
    std::vector<std::string_view> auth = {"AUTH"};
    if (!endpoint.username.empty()) auth.push_back(endpoint.username);
    auth.push_back(endpoint.password);
    NOVACRON_ASSIGN_OR_RETURN(ReplyPtr reply, connection->Command(auth));
    if (reply->type == REDIS_REPLY_ERROR) {
      return PermissionDenied("redis " + address + " rejected the password of " +
                              std::string(kRedisUrlKey) + " (" + ReplyText(reply.get()) + ")");
    }
  }
  if (endpoint.db != 0) {
    std::string db = std::to_string(endpoint.db);
    NOVACRON_ASSIGN_OR_RETURN(ReplyPtr reply, connection->Command({"SELECT", db}));
    if (reply->type == REDIS_REPLY_ERROR) {
      return InvalidArgument("redis " + address + " cannot SELECT database " + db + " of " +
                             std::string(kRedisUrlKey) + " (" + ReplyText(reply.get()) + ")");
    }
  }
  // A server with requirepass accepts the connection and refuses commands: find out now.
  NOVACRON_RETURN_IF_ERROR(connection->Ping());
  return connection;
}

Result<std::optional<std::string>> RedisConnection::Get(std::string_view key) {
  NOVACRON_ASSIGN_OR_RETURN(ReplyPtr reply, Command({"GET", key}));
  switch (reply->type) {
    case REDIS_REPLY_NIL:
      return std::optional<std::string>();
    case REDIS_REPLY_STRING:
      return std::optional<std::string>(ReplyText(reply.get()));
    default:
      return Internal("redis " + address_ + ": GET: unexpected reply type " +
                      std::to_string(reply->type));
  }
}

Status RedisConnection::SetWithTtl(std::string_view key, std::string_view value,
                                   std::chrono::milliseconds ttl) {
  std::string px = std::to_string(ttl.count());
  NOVACRON_ASSIGN_OR_RETURN(ReplyPtr reply, Command({"SET", key, value, "PX", px}));
  (void)reply;
  return Status::Ok();
}

Status RedisConnection::Del(const std::vector<std::string>& keys) {
  if (keys.empty()) return Status::Ok();
  std::vector<std::string_view> args = {"DEL"};
  args.insert(args.end(), keys.begin(), keys.end());
  NOVACRON_ASSIGN_OR_RETURN(ReplyPtr reply, Command(args));
  (void)reply;
  return Status::Ok();
}

Result<std::pair<std::string, std::vector<std::string>>> RedisConnection::Scan(
    std::string_view cursor, std::string_view pattern) {
  NOVACRON_ASSIGN_OR_RETURN(ReplyPtr reply,
                            Command({"SCAN", cursor, "MATCH", pattern, "COUNT", "1000"}));
  if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 2 ||
      reply->element[0]->type != REDIS_REPLY_STRING ||
      reply->element[1]->type != REDIS_REPLY_ARRAY) {
    return Internal("redis " + address_ + ": SCAN: unexpected reply shape");
  }
  std::pair<std::string, std::vector<std::string>> page;
  page.first = ReplyText(reply->element[0]);
  const redisReply* keys = reply->element[1];
  for (size_t i = 0; i < keys->elements; ++i) {
    if (keys->element[i]->type == REDIS_REPLY_STRING) {
      page.second.push_back(ReplyText(keys->element[i]));
    }
  }
  return page;
}

Status RedisConnection::Ping() {
  NOVACRON_ASSIGN_OR_RETURN(ReplyPtr reply, Command({"PING"}));
  (void)reply;
  return Status::Ok();
}

bool RedisConnection::broken() const { return context_->err != 0; }

// Error replies become a Status too, except for AUTH and SELECT, whose callers explain them.
Result<RedisConnection::ReplyPtr> RedisConnection::Command(
    const std::vector<std::string_view>& args) {
  if (broken()) return ContextError(args.empty() ? "" : args[0]);
  std::vector<const char*> argv;
  std::vector<size_t> argv_len;
  for (std::string_view arg : args) {
    argv.push_back(arg.data());
    argv_len.push_back(arg.size());
  }
  void* raw = nullptr;
  {
    SigpipeGuard guard;
    raw = redisCommandArgv(context_, static_cast<int>(argv.size()), argv.data(), argv_len.data());
  }
  if (raw == nullptr) return ContextError(args[0]);
  ReplyPtr reply(static_cast<redisReply*>(raw));
  bool explained_by_caller = args[0] == "AUTH" || args[0] == "SELECT";
  if (reply->type == REDIS_REPLY_ERROR && !explained_by_caller) {
    std::string text = ReplyText(reply.get());
    if (text.starts_with("NOAUTH")) {
      return PermissionDenied("redis " + address_ + " requires a password; set it in " +
                              std::string(kRedisUrlKey) + " (" + text + ")");
    }
    return Unavailable("redis " + address_ + ": " + std::string(args[0]) + ": " + text);
  }
  return reply;
}

Status RedisConnection::ContextError(std::string_view during) const {
  std::string what = LowerFirst(context_->errstr);
  if (context_->err == REDIS_ERR_IO && what == "resource temporarily unavailable") {
    what = "no reply within " + std::to_string(timeouts_.command.count()) + " ms";
  }
  if (context_->err == 0) what = "unknown error";
  std::string prefix = "redis " + address_ + ": ";
  if (!during.empty()) prefix += std::string(during) + ": ";
  return Unavailable(prefix + what);
}

}  // namespace novacron::cache
