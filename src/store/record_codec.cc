#include "store/record_codec.h"

#include <charconv>
#include <nlohmann/json.hpp>

namespace novacron::store {

using std::chrono::microseconds;
using std::chrono::system_clock;

int64_t ToUnixMicros(system_clock::time_point t) {
  return std::chrono::duration_cast<microseconds>(t.time_since_epoch()).count();
}

system_clock::time_point FromUnixMicros(int64_t us) {
  return system_clock::time_point(
      std::chrono::duration_cast<system_clock::duration>(microseconds(us)));
}

std::optional<int64_t> OptionalMicros(const std::optional<microseconds>& d) {
  if (!d) return std::nullopt;
  return d->count();
}

std::optional<microseconds> ToOptionalDuration(std::optional<int64_t> us) {
  if (!us) return std::nullopt;
  return microseconds(*us);
}

std::string EncodeDependencies(const std::vector<std::string>& dependencies) {
  return nlohmann::json(dependencies)
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<std::vector<std::string>> DecodeDependencies(const std::string& text,
                                                    std::string_view where) {
  nlohmann::json parsed = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_array()) {
    return Internal(std::string(where) + ": dependencies column is not a JSON array: " + text);
  }
  std::vector<std::string> out;
  for (const nlohmann::json& item : parsed) {
    if (!item.is_string()) {
      return Internal(std::string(where) + ": dependencies column has a non-string: " + text);
    }
    out.push_back(item.get<std::string>());
  }
  return out;
}

Status ValidateVmRecord(const VmRecord& record) {
  if (record.id.empty()) return InvalidArgument("vm record: id is empty");
  const std::string who = "vm " + record.id;
  if (record.name.empty()) return InvalidArgument(who + ": name is empty");
  if (record.spec_json.empty()) return InvalidArgument(who + ": spec_json is empty");
  if (record.state.empty()) return InvalidArgument(who + ": state is empty");
  for (const auto& [key, value] : record.labels) {
    if (key.empty()) return InvalidArgument(who + ": a label key is empty");
  }
  return {};
}

Status ValidateVmPageLimit(int limit) {
  if (limit < 1 || limit > kMaxVmPageLimit) {
    return InvalidArgument("limit: " + std::to_string(limit) + " is not in 1.." +
                           std::to_string(kMaxVmPageLimit));
  }
  return {};
}

std::string EncodeVmCursor(int64_t seq) { return std::to_string(seq); }

Result<int64_t> DecodeVmCursor(const std::string& cursor) {
  if (cursor.empty()) return int64_t{0};
  int64_t seq = -1;
  const char* end = cursor.data() + cursor.size();
  auto [ptr, ec] = std::from_chars(cursor.data(), end, seq);
  if (ec != std::errc() || ptr != end || seq < 0) return InvalidArgument("cursor: malformed");
  return seq;
}

Status VmNameTaken(const std::string& name) {
  return AlreadyExists("vm name '" + name + "' is taken");
}

Status VmVersionMoved(const std::string& id, int64_t stored, int64_t expected) {
  return Conflict("vm " + id + " was modified: version " + std::to_string(stored) + ", expected " +
                  std::to_string(expected));
}

}  // namespace novacron::store
