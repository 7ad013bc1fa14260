// Parsing of what clients send besides the VM spec: query strings, booleans, label selectors and
// JSON bodies with their Content-Type. Every failure is a ready problem response naming the
// offending field, so handlers return it unchanged.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <variant>

#include "http/request.h"
#include "http/response.h"
#include "store/vm_store.h"

namespace novacron::api {

// A value or the problem response that explains why there is none.
template <typename T>
using Parsed = std::variant<T, http::Response>;

inline constexpr int kMaxListLimit = 1000;
inline constexpr int kDefaultListLimit = 100;
inline constexpr size_t kMaxCursorLength = 512;

// Decoded query parameters; 400 for a malformed escape, a repeated name or a name outside
// `allowed` (so typos like `?stat=running` do not silently list everything).
Parsed<std::map<std::string, std::string>> ParseQuery(std::string_view query,
                                                      const std::set<std::string_view>& allowed);

// "true" / "false" (absent: false); 400 naming `name` otherwise.
Parsed<bool> ParseBoolParam(const std::map<std::string, std::string>& params,
                            std::string_view name);

struct ListQuery {
  store::VmListFilter filter{};
  store::VmPageRequest page{};
};
// limit (1..1000, default 100), cursor, state (a VM state name), label_selector "k=v,k2=v2".
Parsed<ListQuery> ParseListQuery(std::string_view query);

// The JSON body of a request that must have one: 415 unless the Content-Type is
// application/json (or a +json type), 400 when it is not JSON, 422 when it is not an object.
Parsed<nlohmann::json> ParseJsonObjectBody(const http::Request& request);

// Action routes take no input: no body, or an empty JSON object; anything else is refused the
// same way (415 / 400 / 422) rather than ignored.
Parsed<std::monostate> ParseEmptyBody(const http::Request& request);

// The optional If-Match header: nullopt when absent or `*`; 400 when malformed.
Parsed<std::optional<int64_t>> ParseIfMatchHeader(const http::Request& request);

}  // namespace novacron::api
