#include "store/etcd/etcd_store_codec.h"

#include <nlohmann/json.hpp>
#include <optional>

namespace novacron::store {
namespace {

using cluster::EtcdClient;
using cluster::KeyValue;
using nlohmann::json;
using std::chrono::system_clock;

// A compaction that keeps outrunning a scan means etcd keeps far too little history.
constexpr int kMaxScanRestarts = 3;

// Strict dump: a string that is not UTF-8 is refused rather than silently replaced, so what the
// store returns is always what it was given.
Result<std::string> Dump(const json& j, const std::string& what) {
  try {
    return j.dump();
  } catch (const json::exception& e) {
    return InvalidArgument(what + ": a text field is not valid UTF-8 (" + e.what() + ")");
  }
}

// The JSON object stored at `key`, or kInternal.
Result<json> ParseObject(const KeyValue& kv) {
  json j = json::parse(kv.value, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return Internal("etcd key " + kv.key + ": the value is not a JSON object");
  return j;
}

Status Corrupt(const KeyValue& kv, const json::exception& e) {
  return Internal("etcd key " + kv.key + ": unexpected value (" + e.what() + ")");
}

json OptionalNanos(const std::optional<system_clock::time_point>& t) {
  return t ? json(ToUnixNanos(*t)) : json(nullptr);
}

std::optional<system_clock::time_point> OptionalTime(const json& j) {
  if (j.is_null()) return std::nullopt;
  return FromUnixNanos(j.get<int64_t>());
}

}  // namespace

int64_t ToUnixNanos(system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

system_clock::time_point FromUnixNanos(int64_t ns) {
  return system_clock::time_point(
      std::chrono::duration_cast<system_clock::duration>(std::chrono::nanoseconds(ns)));
}

Result<std::string> EncodeVm(const VmRecord& record) {
  const json j = {{"id", record.id},
                  {"name", record.name},
                  {"spec", record.spec_json},  // opaque text: kept byte for byte
                  {"labels", record.labels},
                  {"state", record.state},
                  {"drift", record.drift},
                  {"last_error", record.last_error},
                  {"owner", record.owner},
                  {"created_at_ns", ToUnixNanos(record.created_at)},
                  {"updated_at_ns", ToUnixNanos(record.updated_at)}};
  return Dump(j, "vm " + record.id);
}

Result<VmRecord> DecodeVm(const KeyValue& kv, const std::string& id) {
  NOVACRON_ASSIGN_OR_RETURN(json j, ParseObject(kv));
  try {
    VmRecord record;
    record.id = id;
    record.name = j.at("name").get<std::string>();
    record.spec_json = j.at("spec").get<std::string>();
    record.labels = j.at("labels").get<std::map<std::string, std::string>>();
    record.state = j.at("state").get<std::string>();
    record.drift = j.at("drift").get<std::string>();
    record.last_error = j.at("last_error").get<std::string>();
    // Written before records had an owner: unplaced.
    record.owner = j.value("owner", std::string());
    record.version = kv.version;
    record.created_at = FromUnixNanos(j.at("created_at_ns").get<int64_t>());
    record.updated_at = FromUnixNanos(j.at("updated_at_ns").get<int64_t>());
    return record;
  } catch (const json::exception& e) {
    return Corrupt(kv, e);
  }
}

Result<std::string> EncodeIdempotency(const IdempotencyRecord& record) {
  const json j = {{"fingerprint", record.fingerprint},
                  {"status", record.status},
                  {"body", record.body},
                  {"created_at_ns", ToUnixNanos(record.created_at)}};
  return Dump(j, "idempotency key '" + record.key + "'");
}

Result<IdempotencyRecord> DecodeIdempotency(const KeyValue& kv, const std::string& key) {
  NOVACRON_ASSIGN_OR_RETURN(json j, ParseObject(kv));
  try {
    IdempotencyRecord record;
    record.key = key;
    record.fingerprint = j.at("fingerprint").get<std::string>();
    record.status = j.at("status").get<int>();
    record.body = j.at("body").get<std::string>();
    record.created_at = FromUnixNanos(j.at("created_at_ns").get<int64_t>());
    return record;
  } catch (const json::exception& e) {
    return Corrupt(kv, e);
  }
}

Result<std::string> EncodeToken(const TokenRecord& record) {
  const json j = {{"id", record.id},
                  {"name", record.name},
                  {"role", record.role},
                  {"hash", record.hash},
                  {"created_by", record.created_by},
                  {"created_at_ns", ToUnixNanos(record.created_at)},
                  {"expires_at_ns", OptionalNanos(record.expires_at)},
                  {"revoked_at_ns", OptionalNanos(record.revoked_at)}};
  return Dump(j, "token " + record.id);
}

Result<TokenRecord> DecodeToken(const KeyValue& kv, const std::string& id) {
  NOVACRON_ASSIGN_OR_RETURN(json j, ParseObject(kv));
  try {
    TokenRecord record;
    record.id = id;
    record.name = j.at("name").get<std::string>();
    record.role = j.at("role").get<std::string>();
    record.hash = j.at("hash").get<std::string>();
    record.created_by = j.at("created_by").get<std::string>();
    record.created_at = FromUnixNanos(j.at("created_at_ns").get<int64_t>());
    record.expires_at = OptionalTime(j.at("expires_at_ns"));
    record.revoked_at = OptionalTime(j.at("revoked_at_ns"));
    return record;
  } catch (const json::exception& e) {
    return Corrupt(kv, e);
  }
}

Status EtcdStoreError(const Status& status, std::string_view what) {
  const ErrorCode code = status.code() == ErrorCode::kInvalidArgument ? ErrorCode::kInvalidArgument
                                                                      : ErrorCode::kUnavailable;
  return Status(code, std::string(what) + ": " + status.message());
}

Status ScanSnapshot(cluster::EtcdClient& client, EtcdClient::RangeQuery query, int64_t page,
                    std::string_view what, const std::function<void()>& restart,
                    const std::function<Result<bool>(const KeyValue&)>& visit) {
  const EtcdClient::RangeQuery first = query;
  int restarts = 0;
  query.limit = page;
  while (true) {
    Result<EtcdClient::Range> range = client.GetRange(query);
    if (!range.ok()) {
      // kFailedPrecondition: the pinned revision was compacted. Start over at the latest.
      if (range.status().code() == ErrorCode::kFailedPrecondition && query.revision != 0 &&
          restarts++ < kMaxScanRestarts) {
        restart();
        query = first;
        query.limit = page;
        continue;
      }
      return EtcdStoreError(range.status(), what);
    }
    if (query.revision == 0) query.revision = range->revision;
    for (const KeyValue& kv : range->kvs) {
      NOVACRON_ASSIGN_OR_RETURN(bool more, visit(kv));
      if (!more) return Status::Ok();
    }
    if (!range->more || range->kvs.empty()) return Status::Ok();
    const KeyValue& last = range->kvs.back();
    if (query.by_create_revision) {
      query.min_create_revision = last.create_revision + 1;
    } else {
      query.key = last.key + '\0';  // the smallest key after it
    }
  }
}

const KeyValue* FindRead(const cluster::TxnResult& result, const std::string& key) {
  for (const KeyValue& kv : result.reads) {
    if (kv.key == key) return &kv;
  }
  return nullptr;
}

}  // namespace novacron::store
