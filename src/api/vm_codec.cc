#include "api/vm_codec.h"

#include <charconv>
#include <cstdio>
#include <ctime>

#include "vm/vm_state.h"

namespace novacron::api {

using nlohmann::json;

std::string FormatRfc3339(std::chrono::system_clock::time_point time) {
  auto micros = std::chrono::floor<std::chrono::microseconds>(time.time_since_epoch());
  auto seconds = std::chrono::floor<std::chrono::seconds>(micros);
  std::time_t t = static_cast<std::time_t>(seconds.count());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<long long>((micros - seconds).count()));
  return buf;
}

json VmToJson(const vm::Vm& vm) {
  return {
      {"id", vm.id},
      {"name", vm.spec.name},
      {"state", vm::VmStateName(vm.state)},
      {"drift", vm.drift},
      {"last_error", vm.last_error},
      {"version", vm.version},
      {"node", vm.node},
      {"created_at", FormatRfc3339(vm.created_at)},
      {"updated_at", FormatRfc3339(vm.updated_at)},
      {"spec", vm::ToJson(vm.spec)},
  };
}

json VmListToJson(const vm::VmList& list) {
  json items = json::array();
  for (const vm::Vm& vm : list.items) items.push_back(VmToJson(vm));
  return {{"items", std::move(items)}, {"next_cursor", list.next_cursor}};
}

json NodeToJson(const vm::NodeView& node) {
  const vm::Capacity& c = node.capacity;
  json vms = json::object();
  // Every state appears, so clients need not treat a missing one as zero.
  for (vm::VmState state : vm::kAllVmStates) vms[std::string(vm::VmStateName(state))] = 0;
  for (const auto& [state, count] : node.vms_by_state) vms[state] = count;
  return {
      {"hostname", node.inventory.hostname},
      {"hypervisor", node.inventory.hypervisor},
      {"hypervisor_uri", node.hypervisor_uri},
      {"cpus", node.inventory.cpus},
      {"memory_mib", node.inventory.memory_mib},
      {"capacity",
       {{"vcpus_limit", c.vcpus_limit()},
        {"vcpus_allocated", c.vcpus_allocated},
        {"memory_mib_limit", c.memory_mib_limit()},
        {"memory_mib_allocated", c.memory_mib_allocated},
        {"cpu_overcommit", c.cpu_overcommit},
        {"memory_overcommit", c.memory_overcommit}}},
      {"vms", std::move(vms)},
  };
}

std::string DumpJson(const json& doc) {
  // Never throws: bytes that are not UTF-8 become U+FFFD instead of failing the response.
  return doc.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string EntityTag(int64_t version) { return "\"" + std::to_string(version) + "\""; }

std::optional<std::optional<int64_t>> ParseIfMatch(std::string_view value) {
  if (value == "*") return std::optional<int64_t>();
  if (value.size() < 3 || value.size() > 21 || value.front() != '"' || value.back() != '"') {
    return std::nullopt;
  }
  std::string_view digits = value.substr(1, value.size() - 2);
  int64_t version = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), version);
  if (ec != std::errc() || end != digits.data() + digits.size() || version < 1) {
    return std::nullopt;
  }
  return std::optional<int64_t>(version);
}

http::Response VmResponse(int status, const vm::Vm& vm) {
  http::Response response = http::Response::Json(status, DumpJson(VmToJson(vm)));
  response.headers.Set("ETag", EntityTag(vm.version));
  return response;
}

}  // namespace novacron::api
