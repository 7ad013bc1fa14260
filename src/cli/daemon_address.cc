#include "cli/daemon_address.h"

#include <cstdlib>
#include <fstream>

#include "components/api_component.h"
#include "config/units.h"

namespace novacron::cli {

std::string DaemonAddress::ToString() const {
  return (https ? "https://" : "") + config::FormatHostPort(host, port);
}

namespace {

Result<DaemonAddress> Parse(const std::string& text, const std::string& what) {
  std::string s = text;
  bool https = false;
  for (const char* scheme : {"http://", "https://"}) {
    if (s.rfind(scheme, 0) == 0) {
      https = std::string_view(scheme) == "https://";
      s = s.substr(std::string(scheme).size());
    }
  }
  while (!s.empty() && (s.back() == '/' || s.back() == '\n')) s.pop_back();
  auto hp = config::ParseHostPort(s);
  if (!hp.ok()) return InvalidArgument(what + ": " + hp.status().message());
  if (!hp->port || *hp->port == 0) {
    return InvalidArgument(what + ": '" + text + "' needs a port");
  }
  return DaemonAddress{hp->host.empty() ? "127.0.0.1" : hp->host, static_cast<uint16_t>(*hp->port),
                       https};
}

}  // namespace

Result<DaemonAddress> ResolveDaemonAddress(const std::string& server_flag,
                                           const config::LoadedConfig& loaded) {
  if (!server_flag.empty()) return Parse(server_flag, "--server");
  if (const char* env = std::getenv("NOVACRON_SERVER"); env != nullptr && *env != '\0') {
    return Parse(env, "NOVACRON_SERVER");
  }
  std::ifstream addr_file(components::ApiAddressFile(loaded.config));
  std::string line;
  if (addr_file && std::getline(addr_file, line) && !line.empty()) {
    return Parse(line, components::ApiAddressFile(loaded.config));
  }
  const config::ApiConfig& api = loaded.config.api;
  if (api.port == 0) {
    return FailedPrecondition("api.port is 0 (ephemeral) and " +
                              components::ApiAddressFile(loaded.config) +
                              " does not exist: is the daemon running? Use --server HOST:PORT");
  }
  std::string host = api.host == "0.0.0.0" ? "127.0.0.1" : api.host == "::" ? "::1" : api.host;
  return DaemonAddress{host, static_cast<uint16_t>(api.port),
                       !loaded.config.security.tls.cert_file.empty()};
}

}  // namespace novacron::cli
