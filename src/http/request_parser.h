// Parses one HTTP/1.x request straight into a reusable Request (no Beast message, no
// per-field allocation once the Request has warmed up). Internal to http/; construct a new
// parser for every request (it lives in a std::optional, so that costs no allocation).
#pragma once

#include <boost/beast/http/basic_parser.hpp>

#include "http/request.h"

namespace novacron::http {

class RequestParser final : public boost::beast::http::basic_parser<true> {
 public:
  // Fills `request`, which must outlive the parser; limits are in bytes.
  RequestParser(Request& request, size_t max_header_bytes, size_t max_body_bytes);

  // After a bad_method error: the method is well-formed but not one we know (-> 501).
  bool unknown_method() const { return unknown_method_; }
  bool expects_continue() const { return expects_continue_; }

 private:
  using error_code = boost::beast::error_code;
  using string_view = boost::beast::string_view;

  void on_request_impl(boost::beast::http::verb method, string_view method_str, string_view target,
                       int version, error_code& ec) override;
  void on_response_impl(int, string_view, int, error_code&) override {}
  void on_field_impl(boost::beast::http::field name, string_view name_string, string_view value,
                     error_code& ec) override;
  void on_header_impl(error_code&) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>& content_length,
                         error_code& ec) override;
  std::size_t on_body_impl(string_view body, error_code& ec) override;
  void on_chunk_header_impl(std::uint64_t, string_view, error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t remain, string_view body, error_code& ec) override;
  void on_finish_impl(error_code&) override {}

  Request& request_;
  bool unknown_method_ = false;
  bool expects_continue_ = false;
};

}  // namespace novacron::http
