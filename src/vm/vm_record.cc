#include "vm/vm_record.h"

#include <cstdio>
#include <nlohmann/json.hpp>
#include <random>

namespace novacron::vm {

std::string NewVmId() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  uint64_t hi = rng();
  uint64_t lo = rng();
  hi = (hi & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL;  // version 4
  lo = (lo & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;  // RFC 4122 variant
  char buf[37];
  std::snprintf(buf, sizeof(buf), "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>((hi >> 16) & 0xFFFF), static_cast<unsigned>(hi & 0xFFFF),
                static_cast<unsigned>(lo >> 48),
                static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFULL));
  return buf;
}

void SetSpec(store::VmRecord& record, const VmSpec& spec) {
  record.name = spec.name;
  record.spec_json = ToJson(spec).dump();
  record.labels = spec.labels;
}

store::VmRecord NewRecord(const std::string& id, const VmSpec& spec, VmState state) {
  store::VmRecord record;
  record.id = id;
  SetSpec(record, spec);
  record.state = std::string(VmStateName(state));
  return record;
}

Result<Vm> FromRecord(const store::VmRecord& record) {
  Vm vm;
  vm.id = record.id;
  nlohmann::json doc = nlohmann::json::parse(record.spec_json, nullptr, /*allow_exceptions=*/false);
  // Records written before the daemon chose the serial log path hold a path: it means "on".
  if (doc.is_object() && doc.contains("serial_log") && doc["serial_log"].is_string()) {
    doc["serial_log"] = true;
  }
  Result<VmSpec> spec = ParseVmSpec(doc);
  if (!spec.ok()) {
    return Internal("vm " + record.id + ": stored spec is unreadable: " + spec.status().message());
  }
  vm.spec = std::move(spec).value();
  std::optional<VmState> state = ParseVmState(record.state);
  if (!state) return Internal("vm " + record.id + ": unknown stored state '" + record.state + "'");
  vm.state = *state;
  vm.drift = record.drift;
  vm.last_error = record.last_error;
  vm.version = record.version;
  vm.node = record.owner;
  vm.created_at = record.created_at;
  vm.updated_at = record.updated_at;
  return vm;
}

}  // namespace novacron::vm
