#include "cli/cmd_vm_errors.h"

#include <iostream>

#include "daemon/exit_codes.h"
#include "http/response.h"

namespace novacron::cli {

namespace {

// "field: message", unless the message already names the field.
std::string WithField(const std::string& field, const std::string& message) {
  if (field.empty() || message.rfind(field + ":", 0) == 0) return message;
  if (message.empty()) return field;
  return field + ": " + message;
}

std::string ProblemText(const nlohmann::json& problem) {
  if (auto it = problem.find("errors"); it != problem.end() && it->is_array() && !it->empty()) {
    std::string out;
    for (const auto& e : *it) {
      if (!out.empty()) out += "; ";
      out += WithField(JsonString(e, "field"), JsonString(e, "message"));
    }
    return out;
  }
  return WithField(JsonString(problem, "field"), JsonString(problem, "detail"));
}

std::string FirstLine(std::string_view text, size_t max = 200) {
  text = text.substr(0, text.find_first_of("\r\n"));
  if (text.size() > max) return std::string(text.substr(0, max)) + "...";
  return std::string(text);
}

}  // namespace

std::string DescribeErrorResponse(const ApiResponse& response) {
  std::string title = JsonString(response.body, "title");
  if (title.empty()) title = std::string(http::StatusReason(response.status));
  std::string out = std::to_string(response.status) + " " + title;
  std::string text =
      response.body.is_object() ? ProblemText(response.body) : FirstLine(response.raw_body);
  if (!text.empty()) out += ": " + text;
  return out;
}

Status StatusFromResponse(const ApiResponse& response) {
  std::string message = DescribeErrorResponse(response);
  switch (response.status) {
    case 404:
      return NotFound(std::move(message));
    case 409:
    case 412:
      return Conflict(std::move(message));
    default:
      // Not kInvalidArgument even for 400/422: exit 2 means the flags were wrong before any
      // request was sent; a refusal by the daemon is exit 1.
      return Status(ErrorCode::kInternal, std::move(message));
  }
}

int ExitCodeFor(const Status& status) {
  switch (status.code()) {
    case ErrorCode::kOk:
      return kExitOk;
    case ErrorCode::kNotFound:
      return kExitNotFound;
    case ErrorCode::kConflict:
    case ErrorCode::kAlreadyExists:
      return kExitConflict;
    case ErrorCode::kUnavailable:
      return kExitUnreachable;
    case ErrorCode::kDeadlineExceeded:
      return kExitTimedOut;
    case ErrorCode::kInvalidArgument:
      return kExitUsage;
    default:
      return kExitFailed;
  }
}

int ReportFailure(std::string_view command, const Status& status) {
  std::cerr << "novacron: " << command << ": " << status.ToString() << "\n";
  return ExitCodeFor(status);
}

Result<ApiResponse> Expect2xx(Result<ApiResponse> response) {
  if (!response.ok()) return response.status();
  if (!response->ok()) return StatusFromResponse(*response);
  return response;
}

}  // namespace novacron::cli
