// Internal errors: an id for the client, the detail for the log (see internal_error.h).
#include "http/internal_error.h"

#include <mutex>
#include <random>
#include <utility>

namespace novacron::http {
namespace {

std::mutex reporter_mu;
InternalErrorReporter& Reporter() {
  static InternalErrorReporter reporter;  // guarded by reporter_mu
  return reporter;
}

}  // namespace

void SetInternalErrorReporter(InternalErrorReporter reporter) {
  std::lock_guard lock(reporter_mu);
  Reporter() = std::move(reporter);
}

std::string NewRequestId() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  uint64_t bits = rng();
  std::string id(16, '0');
  for (char& c : id) {
    c = kHex[bits & 0xf];
    bits >>= 4;
  }
  return id;
}

Response InternalErrorResponse(std::string_view detail) {
  std::string id = NewRequestId();
  {
    std::lock_guard lock(reporter_mu);
    if (Reporter()) {
      try {
        Reporter()(id, detail);
      } catch (...) {  // a failing log must not turn into a second error
      }
    }
  }
  return Response::Problem(500, "Internal Server Error",
                           "internal error (request id " + id + "); see the daemon log",
                           {{"request_id", id}});
}

}  // namespace novacron::http
