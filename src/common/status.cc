#include "common/status.h"

namespace novacron {

std::string_view ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk:
      return "ok";
    case ErrorCode::kInvalidArgument:
      return "invalid_argument";
    case ErrorCode::kNotFound:
      return "not_found";
    case ErrorCode::kAlreadyExists:
      return "already_exists";
    case ErrorCode::kFailedPrecondition:
      return "failed_precondition";
    case ErrorCode::kConflict:
      return "conflict";
    case ErrorCode::kUnavailable:
      return "unavailable";
    case ErrorCode::kDeadlineExceeded:
      return "deadline_exceeded";
    case ErrorCode::kResourceExhausted:
      return "resource_exhausted";
    case ErrorCode::kCancelled:
      return "cancelled";
    case ErrorCode::kPermissionDenied:
      return "permission_denied";
    case ErrorCode::kInternal:
      return "internal";
  }
  return "unknown";
}

Status Status::WithCause(Status cause) const {
  Status out = *this;
  if (!out.cause_) {
    out.cause_ = std::make_shared<const Status>(std::move(cause));
  } else {
    out.cause_ = std::make_shared<const Status>(out.cause_->WithCause(std::move(cause)));
  }
  return out;
}

Status Status::Wrap(std::string context) const {
  Status out(code_, std::move(context));
  out.cause_ = std::make_shared<const Status>(*this);
  return out;
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  std::string out = message_;
  for (const Status* c = cause(); c != nullptr; c = c->cause()) {
    out += ": ";
    out += c->message_;
  }
  return out;
}

}  // namespace novacron
