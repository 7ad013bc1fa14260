#include "api/request_input.h"

#include <charconv>

#include "api/problem.h"
#include "api/vm_codec.h"
#include "http/headers.h"
#include "http/uri.h"
#include "vm/vm_state.h"

namespace novacron::api {
namespace {

using nlohmann::json;

bool IsPrintableAscii(std::string_view s) {
  for (char c : s) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

// application/json or application/<anything>+json, parameters (charset) ignored.
bool IsJsonMediaType(std::string_view content_type) {
  std::string_view type = content_type.substr(0, content_type.find(';'));
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
  while (!type.empty() && (type.front() == ' ' || type.front() == '\t')) type.remove_prefix(1);
  constexpr std::string_view kPrefix = "application/";
  if (type.size() <= kPrefix.size() ||
      !http::EqualsIgnoreCase(type.substr(0, kPrefix.size()), kPrefix)) {
    return false;
  }
  std::string_view subtype = type.substr(kPrefix.size());
  if (http::EqualsIgnoreCase(subtype, "json")) return true;
  return subtype.size() > 5 && http::EqualsIgnoreCase(subtype.substr(subtype.size() - 5), "+json");
}

Parsed<std::map<std::string, std::string>> Fail(std::string_view field, std::string_view detail) {
  return BadRequest(field, detail);
}

// "k1=v1,k2=v2": keys and values as in VM labels; an empty selector selects everything.
Parsed<std::map<std::string, std::string>> ParseLabelSelector(std::string_view selector) {
  std::map<std::string, std::string> labels;
  constexpr std::string_view kField = "label_selector";
  while (!selector.empty()) {
    size_t comma = selector.find(',');
    std::string_view term = selector.substr(0, comma);
    selector = comma == std::string_view::npos ? std::string_view() : selector.substr(comma + 1);
    size_t eq = term.find('=');
    if (eq == std::string_view::npos || eq == 0) {
      return Fail(kField, "each term must be key=value: '" + std::string(term) + "'");
    }
    std::string key(term.substr(0, eq));
    std::string value(term.substr(eq + 1));
    if (!IsPrintableAscii(key) || !IsPrintableAscii(value) || value.find('=') != value.npos) {
      return Fail(kField, "each term must be key=value of printable characters");
    }
    if (auto [it, inserted] = labels.emplace(key, value); !inserted && it->second != value) {
      return Fail(kField, "label '" + key + "' is selected twice with different values");
    }
    if (comma != std::string_view::npos && selector.empty()) {
      return Fail(kField, "trailing ','");
    }
  }
  return labels;
}

}  // namespace

Parsed<std::map<std::string, std::string>> ParseQuery(std::string_view query,
                                                      const std::set<std::string_view>& allowed) {
  std::map<std::string, std::string> params;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::string name;
    std::string value;
    if (!http::PercentDecode(pair.substr(0, eq), name, true) ||
        (eq != std::string_view::npos && !http::PercentDecode(pair.substr(eq + 1), value, true))) {
      return Fail("query", "malformed percent-encoding in the query string");
    }
    if (!allowed.contains(name)) {
      std::string known;
      for (std::string_view a : allowed) known += (known.empty() ? "" : ", ") + std::string(a);
      std::string shown = IsPrintableAscii(name) ? name : "?";
      return Fail(shown, "unknown query parameter '" + shown + "'" +
                             (known.empty() ? "; this route takes none" : "; known: " + known));
    }
    if (!params.emplace(name, std::move(value)).second) {
      return Fail(name, "query parameter '" + name + "' given more than once");
    }
  }
  return params;
}

Parsed<bool> ParseBoolParam(const std::map<std::string, std::string>& params,
                            std::string_view name) {
  auto it = params.find(std::string(name));
  if (it == params.end() || it->second == "false") return false;
  if (it->second == "true") return true;
  return BadRequest(name, std::string(name) + " must be true or false");
}

Parsed<ListQuery> ParseListQuery(std::string_view query) {
  auto parsed = ParseQuery(query, {"limit", "cursor", "state", "label_selector"});
  if (auto* problem = std::get_if<http::Response>(&parsed)) return std::move(*problem);
  const auto& params = std::get<0>(parsed);
  ListQuery out;
  out.page.limit = kDefaultListLimit;
  if (auto it = params.find("limit"); it != params.end()) {
    const std::string& text = it->second;
    int limit = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), limit);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size() || limit < 1 ||
        limit > kMaxListLimit) {
      return BadRequest("limit", "limit must be an integer in 1..1000");
    }
    out.page.limit = limit;
  }
  if (auto it = params.find("cursor"); it != params.end()) {
    // Opaque to clients, but always short printable ASCII when it came from us.
    if (it->second.size() > kMaxCursorLength || !IsPrintableAscii(it->second)) {
      return BadRequest("cursor", "cursor is not one this server issued");
    }
    out.page.cursor = it->second;
  }
  if (auto it = params.find("state"); it != params.end()) {
    if (!vm::ParseVmState(it->second)) {
      return BadRequest("state",
                        "state must be one of defined, starting, running, stopping, stopped, "
                        "failed, deleting");
    }
    out.filter.state = it->second;
  }
  if (auto it = params.find("label_selector"); it != params.end()) {
    auto labels = ParseLabelSelector(it->second);
    if (auto* problem = std::get_if<http::Response>(&labels)) return std::move(*problem);
    out.filter.labels = std::move(std::get<0>(labels));
  }
  return out;
}

Parsed<json> ParseJsonObjectBody(const http::Request& request) {
  std::string_view content_type = request.Header("Content-Type");
  if (!IsJsonMediaType(content_type)) {
    return ProblemResponse({.status = 415,
                            .title = "",
                            .detail = "the body must be application/json",
                            .field = "Content-Type"});
  }
  json doc = json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return BadRequest("body", "the body is not valid JSON");
  if (!doc.is_object()) return Unprocessable({{"", "the body must be a JSON object"}});
  return doc;
}

Parsed<std::monostate> ParseEmptyBody(const http::Request& request) {
  if (request.body.empty()) return std::monostate{};
  auto parsed = ParseJsonObjectBody(request);
  if (auto* problem = std::get_if<http::Response>(&parsed)) return std::move(*problem);
  std::vector<vm::FieldError> errors;
  for (const auto& item : std::get<json>(parsed).items()) {
    errors.push_back({item.key(), "unknown field"});
  }
  if (!errors.empty()) return Unprocessable(std::move(errors));
  return std::monostate{};
}

Parsed<std::optional<int64_t>> ParseIfMatchHeader(const http::Request& request) {
  const std::string* value = request.headers.Find("If-Match");
  if (value == nullptr) return std::optional<int64_t>();
  std::optional<std::optional<int64_t>> version = ParseIfMatch(*value);
  if (!version) {
    return BadRequest("If-Match", "If-Match must be one strong entity tag like \"3\", or *");
  }
  return *version;
}

}  // namespace novacron::api
