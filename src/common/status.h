// The one error type of NovaCron: a code, a message naming the thing, and an optional cause
// chain. Third-party exceptions are caught at module edges and turned into a Status.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace novacron {

enum class ErrorCode {
  kOk = 0,
  kInvalidArgument,  // bad input: configuration, request body, flag
  kNotFound,
  kAlreadyExists,
  kFailedPrecondition,  // the system is not in a state that allows it (e.g. preflight)
  kConflict,            // optimistic concurrency, illegal state transition
  kUnavailable,         // transient: a peer or server is down; retriable
  kDeadlineExceeded,    // a timeout; retriable
  kResourceExhausted,   // limits; retriable
  kCancelled,
  kPermissionDenied,
  kInternal,
};

std::string_view ErrorCodeName(ErrorCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }

  bool ok() const { return code_ == ErrorCode::kOk; }
  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }
  const Status* cause() const { return cause_.get(); }

  // Transient errors are worth retrying; everything else fails the same way again.
  bool retriable() const {
    return code_ == ErrorCode::kUnavailable || code_ == ErrorCode::kDeadlineExceeded ||
           code_ == ErrorCode::kResourceExhausted;
  }

  // Returns a copy of this status with `cause` attached at the end of the chain.
  Status WithCause(Status cause) const;
  // Returns a new status of the same code whose message is prefixed by `context`, and whose
  // cause is the original status.
  Status Wrap(std::string context) const;

  // "message: cause message: ..." — the whole chain on one line.
  std::string ToString() const;

 private:
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
  std::shared_ptr<const Status> cause_;
};

inline Status InvalidArgument(std::string m) { return {ErrorCode::kInvalidArgument, std::move(m)}; }
inline Status NotFound(std::string m) { return {ErrorCode::kNotFound, std::move(m)}; }
inline Status AlreadyExists(std::string m) { return {ErrorCode::kAlreadyExists, std::move(m)}; }
inline Status FailedPrecondition(std::string m) {
  return {ErrorCode::kFailedPrecondition, std::move(m)};
}
inline Status Conflict(std::string m) { return {ErrorCode::kConflict, std::move(m)}; }
inline Status Unavailable(std::string m) { return {ErrorCode::kUnavailable, std::move(m)}; }
inline Status DeadlineExceeded(std::string m) {
  return {ErrorCode::kDeadlineExceeded, std::move(m)};
}
inline Status ResourceExhausted(std::string m) {
  return {ErrorCode::kResourceExhausted, std::move(m)};
}
inline Status Cancelled(std::string m) { return {ErrorCode::kCancelled, std::move(m)}; }
inline Status PermissionDenied(std::string m) {
  return {ErrorCode::kPermissionDenied, std::move(m)};
}
inline Status Internal(std::string m) { return {ErrorCode::kInternal, std::move(m)}; }

// A value or the Status that explains why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    if (std::get<Status>(v_).ok()) v_ = Status(ErrorCode::kInternal, "Result built from OK");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace novacron

// Returns early from the enclosing function when `expr` (a Status) is not OK.
#define NOVACRON_RETURN_IF_ERROR(expr)         \
  do {                                         \
    ::novacron::Status novacron_s_ = (expr);   \
    if (!novacron_s_.ok()) return novacron_s_; \
  } while (0)

#define NOVACRON_STATUS_CONCAT_INNER_(a, b) a##b
#define NOVACRON_STATUS_CONCAT_(a, b) NOVACRON_STATUS_CONCAT_INNER_(a, b)
#define NOVACRON_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                    \
  if (!tmp.ok()) return tmp.status();                   \
  lhs = std::move(tmp).value()

// `NOVACRON_ASSIGN_OR_RETURN(auto x, Compute());` declares x from a Result or returns its error.
#define NOVACRON_ASSIGN_OR_RETURN(lhs, expr) \
  NOVACRON_ASSIGN_OR_RETURN_IMPL_(NOVACRON_STATUS_CONCAT_(novacron_r_, __LINE__), lhs, expr)
