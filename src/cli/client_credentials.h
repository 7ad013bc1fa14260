// How the CLI authenticates to the daemon and verifies it (docs/security.md, "TLS"):
// --cacert/--cert/--key for HTTPS and mTLS, --token-file or $NOVACRON_TOKEN for a bearer token.
// The token only ever travels in the Authorization header: never in a URL or a message.
#pragma once

#include <CLI/App.hpp>
#include <optional>
#include <string>

#include "cli/daemon_address.h"
#include "common/status.h"
#include "config/config.h"
#include "http/client.h"
#include "http/headers.h"

namespace novacron::cli {

struct ClientCredentialFlags {
  std::string cacert;      // CA of the daemon's certificate
  std::string cert, key;   // client certificate for mTLS
  std::string token_file;  // file holding a bearer token
};

void AddClientCredentialFlags(CLI::App& command, ClientCredentialFlags& flags);

// What the flags resolve to for one daemon address.
struct ClientCredentials {
  std::optional<http::ClientTlsOptions> tls;  // set for https
  std::string token;                          // empty: no Authorization header
};

// TLS options when `address` is https (the CA: --cacert, $NOVACRON_CACERT, then
// security.tls.ca_file, then the system store); the token from --token-file, else
// $NOVACRON_TOKEN. Errors (exit 2) name the flag and the file.
Result<ClientCredentials> ResolveClientCredentials(const ClientCredentialFlags& flags,
                                                   const DaemonAddress& address,
                                                   const config::Config& config);

// Sets request.tls and the Authorization header.
void ApplyClientCredentials(const ClientCredentials& credentials, http::ClientRequest& request);

}  // namespace novacron::cli
