#include "cli/cmd_vm_api_client.h"

#include "http/client.h"

namespace novacron::cli {

Result<ApiResponse> ApiClient::Get(std::string_view target) const {
  return Send("GET", target, nullptr, {});
}

Result<ApiResponse> ApiClient::Post(std::string_view target, const nlohmann::json& body,
                                    const http::Headers& headers) const {
  return Send("POST", target, body, headers);
}

Result<ApiResponse> ApiClient::Patch(std::string_view target, const nlohmann::json& body,
                                     const http::Headers& headers) const {
  return Send("PATCH", target, body, headers);
}

Result<ApiResponse> ApiClient::Delete(std::string_view target, const http::Headers& headers) const {
  return Send("DELETE", target, nullptr, headers);
}

Result<ApiResponse> ApiClient::Send(std::string_view method, std::string_view target,
                                    const nlohmann::json& body,
                                    const http::Headers& headers) const {
  http::ClientRequest request;
  request.host = address_.host;
  request.port = address_.port;
  request.method = std::string(method);
  request.target = std::string(target);
  request.timeout = timeout_;
  request.connect_timeout = timeout_;
  request.headers = headers;
  request.headers.Set("Accept", "application/json, application/problem+json");
  ApplyClientCredentials(credentials_, request);
  if (!body.is_null()) {
    request.headers.Set("Content-Type", "application/json");
    request.body = body.dump();
  }
  auto response = http::HttpRequest(request);
  if (!response.ok()) {
    // Every way of not getting an HTTP answer is the same to a script: exit 4.
    return Unavailable("no daemon answered at " + address_.ToString() + ": " +
                       response.status().ToString());
  }
  ApiResponse out;
  out.status = response->status;
  out.headers = std::move(response->headers);
  out.raw_body = std::move(response->body);
  if (!out.raw_body.empty()) {
    out.body = nlohmann::json::parse(out.raw_body, nullptr, /*allow_exceptions=*/false);
    if (out.body.is_discarded()) out.body = nullptr;
  }
  return out;
}

std::string PercentEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return out;
}

std::string VmPath(std::string_view name_or_id, std::string_view suffix) {
  return "/api/v1/vms/" + PercentEncode(name_or_id) + std::string(suffix);
}

std::string NodePath(std::string_view node_id, std::string_view suffix) {
  return "/api/v1/nodes/" + PercentEncode(node_id) + std::string(suffix);
}

std::string JsonString(const nlohmann::json& j, const char* key) {
  if (!j.is_object()) return "";
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

std::string JsonScalar(const nlohmann::json& j, const char* key) {
  if (!j.is_object()) return "-";
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return "-";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

}  // namespace novacron::cli
