#include "http/request_parser.h"

#include <boost/beast/http/error.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/verb.hpp>

namespace novacron::http {
namespace beast_http = boost::beast::http;

namespace {

std::string_view ToStd(boost::beast::string_view s) { return {s.data(), s.size()}; }

}  // namespace

RequestParser::RequestParser(Request& request, size_t max_header_bytes, size_t max_body_bytes)
    : request_(request) {
  header_limit(static_cast<std::uint32_t>(max_header_bytes));
  body_limit(max_body_bytes);
  eager(true);  // parse the body in the same put() as the header when it is already buffered
}

void RequestParser::on_request_impl(beast_http::verb method, string_view /*method_str*/,
                                    string_view target, int version, error_code& ec) {
  // Beast itself rejects versions other than 1.0 and 1.1 (bad_version) before calling us.
  if (method == beast_http::verb::unknown) {
    unknown_method_ = true;
    ec = beast_http::error::bad_method;
    return;
  }
  // Origin-form only ("/path?query"); absolute-form and "*" are not used by our clients.
  if (target.empty() || target[0] != '/') {
    ec = beast_http::error::bad_target;
    return;
  }
  request_.method = ToStd(beast_http::to_string(method));  // static storage
  request_.version = version;
  std::string_view t = ToStd(target);
  size_t question = t.find('?');
  request_.path.assign(t.substr(0, question));
  if (question != std::string_view::npos) request_.query.assign(t.substr(question + 1));
}

void RequestParser::on_field_impl(beast_http::field name, string_view name_string,
                                  string_view value, error_code& /*ec*/) {
  if (name == beast_http::field::expect && EqualsIgnoreCase(ToStd(value), "100-continue")) {
    expects_continue_ = true;
  }
  request_.headers.Add(ToStd(name_string), ToStd(value));
}

void RequestParser::on_body_init_impl(const boost::optional<std::uint64_t>& content_length,
                                      error_code& /*ec*/) {
  // Beast has already checked content_length against the body limit.
  if (content_length) request_.body.reserve(static_cast<size_t>(*content_length));
}

std::size_t RequestParser::on_body_impl(string_view body, error_code& /*ec*/) {
  request_.body.append(body.data(), body.size());
  return body.size();
}

std::size_t RequestParser::on_chunk_body_impl(std::uint64_t /*remain*/, string_view body,
                                              error_code& /*ec*/) {
  request_.body.append(body.data(), body.size());
  return body.size();
}

}  // namespace novacron::http
