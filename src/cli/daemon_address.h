// Where the running daemon's API is: --server, $NOVACRON_SERVER, <data_dir>/api.addr (written by
// the daemon once it listens), or api.host:api.port from the configuration.
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"
#include "config/loader.h"

namespace novacron::cli {

struct DaemonAddress {
  std::string host;
  uint16_t port = 0;
  // https://, an https address in api.addr, or (from api.host:api.port) security.tls.cert_file set.
  bool https = false;
  std::string ToString() const;  // "host:port", "https://host:port"
};

Result<DaemonAddress> ResolveDaemonAddress(const std::string& server_flag,
                                           const config::LoadedConfig& loaded);

}  // namespace novacron::cli
