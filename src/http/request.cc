#include "http/request.h"

#include "http/uri.h"

namespace novacron::http {
namespace {

// A connection that once received a large body should not keep that much memory while idle.
constexpr size_t kMaxRetainedBodyCapacity = 64 << 10;

}  // namespace

void PathParams::Add(std::string_view name, std::string_view value) {
  if (size_ < params_.size()) {
    params_[size_].first = name;
    params_[size_].second.assign(value);
  } else {
    params_.emplace_back(name, std::string(value));
  }
  ++size_;
}

std::string_view PathParams::Get(std::string_view name) const {
  for (size_t i = 0; i < size_; ++i) {
    if (params_[i].first == name) return params_[i].second;
  }
  return {};
}

std::optional<std::string> Request::QueryParam(std::string_view name) const {
  return FindQueryParam(query, name);
}

void Request::Reset() {
  method = {};
  path.clear();
  query.clear();
  version = 11;
  headers.Clear();
  if (body.capacity() > kMaxRetainedBodyCapacity) {
    std::string().swap(body);
  } else {
    body.clear();
  }
  route = {};
  params.Clear();
  identity.Clear();
}

}  // namespace novacron::http
