// Field errors of a VM spec inside a Status (see spec_errors.h).
#include "vm/spec_errors.h"

#include <string_view>

namespace novacron::vm {
namespace {

constexpr std::string_view kPrefix = "vm spec: ";

// Length of the spec field path at the start of `s` when it is followed by ": ", else 0.
// Paths: [a-z_]+ then optionally [N] then optionally .[a-z_]+ ("disks[0].base_image").
size_t FieldPathLength(std::string_view s) {
  size_t i = 0;
  auto word = [&] {
    size_t start = i;
    while (i < s.size() && ((s[i] >= 'a' && s[i] <= 'z') || s[i] == '_')) ++i;
    return i > start;
  };
  if (!word()) return 0;
  if (i < s.size() && s[i] == '[') {
    size_t start = ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == start || i >= s.size() || s[i] != ']') return 0;
    ++i;
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (!word()) return 0;
  }
  return s.substr(i).starts_with(": ") ? i : 0;
}

}  // namespace

Status SpecErrorStatus(const std::vector<FieldError>& errors) {
  return InvalidArgument(std::string(kPrefix) + FormatFieldErrors(errors));
}

std::vector<FieldError> SpecErrorsOf(const Status& status) {
  std::vector<FieldError> errors;
  if (status.code() != ErrorCode::kInvalidArgument) return errors;
  // Wrap() puts context in front; the innermost spec error is what names the fields.
  const Status* s = &status;
  while (s->cause() != nullptr) s = s->cause();
  std::string_view text = s->message();
  if (!text.starts_with(kPrefix)) return errors;
  text.remove_prefix(kPrefix.size());
  while (!text.empty()) {
    size_t field_len = FieldPathLength(text);
    if (field_len == 0) return {};
    std::string field(text.substr(0, field_len));
    text.remove_prefix(field_len + 2);
    size_t end = 0;
    while (true) {
      end = text.find("; ", end);
      if (end == std::string_view::npos || FieldPathLength(text.substr(end + 2)) > 0) break;
      end += 2;
    }
    errors.push_back({std::move(field), std::string(text.substr(0, end))});
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 2);
  }
  return errors;
}

}  // namespace novacron::vm
