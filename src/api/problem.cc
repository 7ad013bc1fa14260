#include "api/problem.h"

#include <nlohmann/json.hpp>

#include "http/internal_error.h"

namespace novacron::api {
namespace {

using nlohmann::json;

std::string TitleFor(int status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 409:
      return "Conflict";
    case 412:
      return "Precondition Failed";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Entity";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "Internal Server Error";
  }
}

}  // namespace

http::Response ProblemResponse(const ProblemDetails& problem) {
  json body = {
      {"type", "about:blank"},
      {"title", problem.title.empty() ? TitleFor(problem.status) : problem.title},
      {"status", problem.status},
      {"detail", problem.detail},
  };
  if (!problem.field.empty()) body["field"] = problem.field;
  if (!problem.request_id.empty()) body["request_id"] = problem.request_id;
  if (!problem.errors.empty()) {
    json errors = json::array();
    for (const vm::FieldError& e : problem.errors) {
      errors.push_back({{"field", e.field}, {"message", e.message}});
    }
    body["errors"] = std::move(errors);
  }
  http::Response response;
  response.status = problem.status;
  // Strings from clients may hold invalid UTF-8 (they are checked later, or not at all):
  // replace rather than throw.
  response.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  response.headers.Set("Content-Type", "application/problem+json");
  return response;
}

http::Response BadRequest(std::string_view field, std::string_view detail) {
  return ProblemResponse(
      {.status = 400, .title = "", .detail = std::string(detail), .field = std::string(field)});
}

http::Response Unprocessable(std::vector<vm::FieldError> errors) {
  ProblemDetails problem{.status = 422, .title = "", .detail = "", .field = ""};
  if (!errors.empty()) problem.field = errors.front().field;
  problem.detail = "invalid request: " + vm::FormatFieldErrors(errors);
  problem.errors = std::move(errors);
  return ProblemResponse(problem);
}

int HttpStatusFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return 422;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kAlreadyExists:
    case ErrorCode::kConflict:
    case ErrorCode::kFailedPrecondition:
    case ErrorCode::kResourceExhausted:
      return 409;
    case ErrorCode::kUnavailable:
      return 503;
    case ErrorCode::kDeadlineExceeded:
      return 504;
    case ErrorCode::kPermissionDenied:
      return 403;
    default:
      return 500;
  }
}

http::Response StatusResponse(const Status& status, const observe::Logger& log) {
  int code = HttpStatusFor(status.code());
  ProblemDetails problem{.status = code, .title = "", .detail = status.ToString(), .field = ""};
  if (status.code() == ErrorCode::kResourceExhausted) problem.title = "Insufficient capacity";
  if (code == 500) {
    // Never the status text: it may name files, SQL or hosts (docs/security.md).
    problem.request_id = http::NewRequestId();
    problem.detail = "internal error (request id " + problem.request_id + "); see the daemon log";
    log.Error("api request failed",
              {{"status", code}, {"request_id", problem.request_id}, {"error", status}});
  } else if (code >= 500) {
    log.Warn("api request failed", {{"status", code}, {"error", status}});
  }
  http::Response response = ProblemResponse(problem);
  if (code == 503) response.headers.Set("Retry-After", std::to_string(kRetryAfterSeconds));
  return response;
}

}  // namespace novacron::api
