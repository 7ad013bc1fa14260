// Resolving the CLI's TLS and token flags into what http::HttpRequest needs.
#include "cli/client_credentials.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace novacron::cli {
namespace {

std::string Trim(std::string s) {
  size_t begin = s.find_first_not_of(" \t\r\n");
  size_t end = s.find_last_not_of(" \t\r\n");
  return begin == std::string::npos ? std::string() : s.substr(begin, end - begin + 1);
}

Result<std::string> ReadToken(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return InvalidArgument("--token-file " + path + ": cannot read: " + std::strerror(errno));
  }
  std::stringstream text;
  text << in.rdbuf();
  std::string token = Trim(text.str());
  if (token.empty()) return InvalidArgument("--token-file " + path + " is empty");
  if (token.find_first_of(" \t\r\n") != std::string::npos) {
    return InvalidArgument("--token-file " + path + " must hold one token on one line");
  }
  return token;
}

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::string() : Trim(value);
}

}  // namespace

void AddClientCredentialFlags(CLI::App& command, ClientCredentialFlags& flags) {
  command
      .add_option("--cacert", flags.cacert,
                  "PEM CA that signed the daemon's certificate (https; default "
                  "$NOVACRON_CACERT, then security.tls.ca_file, then the system store)")
      ->type_name("FILE");
  command.add_option("--cert", flags.cert, "PEM client certificate for mTLS (with --key)")
      ->type_name("FILE");
  command.add_option("--key", flags.key, "PEM private key of --cert (mode 0600)")
      ->type_name("FILE");
  command
      .add_option("--token-file", flags.token_file,
                  "File with the bearer token to send (default: $NOVACRON_TOKEN)")
      ->type_name("FILE");
}

Result<ClientCredentials> ResolveClientCredentials(const ClientCredentialFlags& flags,
                                                   const DaemonAddress& address,
                                                   const config::Config& config) {
  ClientCredentials out;
  if (!address.https && (!flags.cacert.empty() || !flags.cert.empty())) {
    return InvalidArgument("--cacert and --cert need an https:// --server (the daemon at " +
                           address.ToString() + " speaks plain HTTP)");
  }
  if (address.https) {
    http::ClientTlsOptions tls;
    tls.ca_file = flags.cacert;
    if (tls.ca_file.empty()) tls.ca_file = Env("NOVACRON_CACERT");
    if (tls.ca_file.empty()) tls.ca_file = config.security.tls.ca_file;
    tls.cert_file = flags.cert;
    tls.key_file = flags.key;
    if (tls.cert_file.empty() != tls.key_file.empty()) {
      return InvalidArgument("--cert and --key go together: give both or neither");
    }
    out.tls = std::move(tls);
  }
  if (!flags.token_file.empty()) {
    NOVACRON_ASSIGN_OR_RETURN(out.token, ReadToken(flags.token_file));
  } else {
    out.token = Env("NOVACRON_TOKEN");
  }
  return out;
}

void ApplyClientCredentials(const ClientCredentials& credentials, http::ClientRequest& request) {
  request.tls = credentials.tls;
  if (!credentials.token.empty()) {
    request.headers.Set("Authorization", "Bearer " + credentials.token);
  }
}

}  // namespace novacron::cli
