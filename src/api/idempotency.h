// Idempotency-Key handling for POSTs (issue 3 contract): the first answer to a key is stored
// with a fingerprint of the request (method, path, query, body); a repeat with the same
// fingerprint replays it with `Idempotent-Replayed: true`, a different request under the same key
// is 422. Keys are kept by the store for 24 h (its retention).
#pragma once

#include <string>
#include <string_view>

#include "http/request.h"
#include "http/response.h"
#include "http/router.h"
#include "observe/log.h"
#include "store/vm_store.h"

namespace novacron::api {

inline constexpr size_t kMaxIdempotencyKeyLength = 255;

// 1..255 printable ASCII characters.
bool IsValidIdempotencyKey(std::string_view key);

// Identifies a request: "POST /api/v1/vms?start=true <body length> <body hash>".
std::string RequestFingerprint(const http::Request& request);

// Wraps `handler`: without the header it just runs; with it, it validates the key, replays a
// stored answer or runs the handler and stores its answer. Answers of 5xx (transient or ours)
// are not stored, so a retry can succeed. `store` may be null: the header is then validated
// but nothing is remembered.
http::Handler WithIdempotency(http::Handler handler, store::VmStore* store, observe::Logger log);

}  // namespace novacron::api
