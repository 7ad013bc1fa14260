#include "api/idempotency.h"

#include <cstdint>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "api/problem.h"
#include "api/vm_codec.h"

namespace novacron::api {
namespace {

using nlohmann::json;

// FNV-1a, 64 bits: only tells one client's requests under one key apart, so it needs no
// resistance against crafted collisions (a client can only confuse its own key).
uint64_t Fnv1a64(std::string_view data) {
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (unsigned char c : data) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

http::Response KeyProblem(std::string detail) {
  return ProblemResponse(
      {.status = 422, .title = "", .detail = std::move(detail), .field = "Idempotency-Key"});
}

// The stored answer, with the headers derived from it (the store keeps status and body only).
http::Response Replay(const store::IdempotencyRecord& record) {
  http::Response response;
  response.status = record.status;
  response.body = record.body;
  json doc = json::parse(record.body, nullptr, /*allow_exceptions=*/false);
  bool problem = record.status >= 400;
  response.headers.Set("Content-Type", problem ? "application/problem+json" : "application/json");
  if (!problem && doc.is_object() && doc.contains("id") && doc["id"].is_string() &&
      doc.contains("version") && doc["version"].is_number_integer()) {
    response.headers.Set("ETag", EntityTag(doc["version"].get<int64_t>()));
    if (record.status == 201) {
      response.headers.Set("Location", "/api/v1/vms/" + doc["id"].get<std::string>());
    }
  }
  response.headers.Set("Idempotent-Replayed", "true");
  return response;
}

}  // namespace

bool IsValidIdempotencyKey(std::string_view key) {
  if (key.empty() || key.size() > kMaxIdempotencyKeyLength) return false;
  for (char c : key) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

std::string RequestFingerprint(const http::Request& request) {
  char hash[17];
  std::snprintf(hash, sizeof(hash), "%016llx",
                static_cast<unsigned long long>(Fnv1a64(request.body)));
  std::string fingerprint(request.method);
  fingerprint += ' ';
  fingerprint += request.path;
  if (!request.query.empty()) fingerprint += "?" + request.query;
  fingerprint += ' ' + std::to_string(request.body.size()) + ' ' + hash;
  return fingerprint;
}

http::Handler WithIdempotency(http::Handler handler, store::VmStore* store, observe::Logger log) {
  return [handler = std::move(handler), store, log](const http::Request& request) {
    const std::string* key = request.headers.Find("Idempotency-Key");
    if (key == nullptr) return handler(request);
    if (!IsValidIdempotencyKey(*key)) {
      return KeyProblem("Idempotency-Key must be 1..255 printable ASCII characters");
    }
    if (store == nullptr) return handler(request);
    std::string fingerprint = RequestFingerprint(request);
    auto replay = [&](const store::IdempotencyRecord& record) {
      if (record.fingerprint != fingerprint) {
        return KeyProblem("Idempotency-Key '" + *key +
                          "' was used for a different request; use a new key");
      }
      return Replay(record);
    };

    Result<store::IdempotencyRecord> stored = store->GetIdempotency(*key);
    if (stored.ok()) return replay(*stored);
    if (stored.status().code() != ErrorCode::kNotFound) {
      return StatusResponse(stored.status(), log);
    }

    http::Response response = handler(request);
    if (response.status >= 500) return response;
    store::IdempotencyRecord record{
        .key = *key, .fingerprint = fingerprint, .status = response.status, .body = response.body};
    Status put = store->PutIdempotency(record);
    if (put.code() == ErrorCode::kAlreadyExists) {
      // A concurrent request with the same key won: answer what it answered.
      Result<store::IdempotencyRecord> winner = store->GetIdempotency(*key);
      if (winner.ok()) return replay(*winner);
    } else if (!put.ok()) {
      // The action happened; only the replay record is lost. Answer it, but say so in the log.
      log.Warn("cannot store idempotency key", {{"key", *key}, {"error", put}});
    }
    return response;
  };
}

}  // namespace novacron::api
