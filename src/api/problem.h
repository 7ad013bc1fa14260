// RFC 7807 problem responses for the API, and the one mapping from novacron::Status to HTTP
// status codes (issue 3 contract).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "http/response.h"
#include "observe/log.h"
#include "vm/vm_spec.h"

namespace novacron::api {

inline constexpr int kRetryAfterSeconds = 5;  // for 503 answers

struct ProblemDetails {
  int status = 500;
  std::string title;
  std::string detail;
  std::string field;                     // omitted when empty
  std::vector<vm::FieldError> errors{};  // omitted when empty
  std::string request_id{};              // 500s: names the log line with the detail
};

// application/problem+json with {type, title, status, detail[, field][, errors]}.
http::Response ProblemResponse(const ProblemDetails& problem);

// 400 for malformed input (query, header, JSON syntax) naming the field.
http::Response BadRequest(std::string_view field, std::string_view detail);
// 422 for input that parsed but is not acceptable; `field` is the first error's field.
http::Response Unprocessable(std::vector<vm::FieldError> errors);

// kInvalidArgument 422, kNotFound 404, kAlreadyExists / kConflict / kFailedPrecondition 409,
// kResourceExhausted 409 "Insufficient capacity", kUnavailable 503 (+ Retry-After),
// kDeadlineExceeded 504, kPermissionDenied 403, anything else 500 with a detail that hides the
// internals: "internal error (request id <id>); see the daemon log" (the whole status is logged
// with the same request_id).
int HttpStatusFor(ErrorCode code);
http::Response StatusResponse(const Status& status, const observe::Logger& log);

}  // namespace novacron::api
