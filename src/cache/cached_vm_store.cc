#include "cache/cached_vm_store.h"

#include <nlohmann/json.hpp>

namespace novacron::cache {
namespace {

using nlohmann::json;
using std::chrono::microseconds;
using std::chrono::system_clock;

std::string Key(const std::string& id) { return "vm:" + id; }

int64_t Micros(system_clock::time_point t) {
  return std::chrono::duration_cast<microseconds>(t.time_since_epoch()).count();
}

}  // namespace

std::string EncodeVmRecord(const store::VmRecord& r) {
  json j = {{"id", r.id},
            {"name", r.name},
            {"spec", r.spec_json},
            {"labels", r.labels},
            {"state", r.state},
            {"drift", r.drift},
            {"last_error", r.last_error},
            {"owner", r.owner},
            {"version", r.version},
            {"created_at", Micros(r.created_at)},
            {"updated_at", Micros(r.updated_at)}};
  return j.dump();
}

std::optional<store::VmRecord> DecodeVmRecord(std::string_view text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return std::nullopt;
  try {
    store::VmRecord r;
    r.id = j.at("id").get<std::string>();
    r.name = j.at("name").get<std::string>();
    r.spec_json = j.at("spec").get<std::string>();
    r.labels = j.at("labels").get<std::map<std::string, std::string>>();
    r.state = j.at("state").get<std::string>();
    r.drift = j.at("drift").get<std::string>();
    r.last_error = j.at("last_error").get<std::string>();
    r.owner = j.at("owner").get<std::string>();
    r.version = j.at("version").get<int64_t>();
    r.created_at = system_clock::time_point(microseconds(j.at("created_at").get<int64_t>()));
    r.updated_at = system_clock::time_point(microseconds(j.at("updated_at").get<int64_t>()));
    return r;
  } catch (const json::exception&) {
    return std::nullopt;  // a foreign or older entry: treat as a miss
  }
}

void CachedVmStore::Remember(const store::VmRecord& record) {
  cache_.Set(Key(record.id), EncodeVmRecord(record), ttl_);
}

void CachedVmStore::Forget(const std::string& id) { cache_.Erase(Key(id)); }

Result<store::VmRecord> CachedVmStore::Create(const store::VmRecord& record,
                                              const store::IdempotencyRecord* idempotency) {
  ++writes_;
  Result<store::VmRecord> created = store_.Create(record, idempotency);
  if (created.ok()) Remember(*created);
  return created;
}

Result<store::VmRecord> CachedVmStore::Get(const std::string& id) {
  if (std::optional<std::string> hit = cache_.Get(Key(id))) {
    if (std::optional<store::VmRecord> record = DecodeVmRecord(*hit)) return *record;
  }
  const uint64_t writes_before = writes_.load();
  Result<store::VmRecord> record = store_.Get(id);
  if (record.ok() && writes_.load() == writes_before) Remember(*record);
  return record;
}

Result<store::VmRecord> CachedVmStore::Update(const store::VmRecord& record,
                                              int64_t expected_version) {
  ++writes_;
  Result<store::VmRecord> updated = store_.Update(record, expected_version);
  if (updated.ok()) {
    Remember(*updated);
  } else {
    Forget(record.id);  // a conflict means our copy may be stale
  }
  return updated;
}

Status CachedVmStore::Delete(const std::string& id, std::optional<int64_t> expected_version) {
  ++writes_;
  Status deleted = store_.Delete(id, expected_version);
  Forget(id);
  return deleted;
}

}  // namespace novacron::cache
