// novacron cert: `show FILE` prints a certificate (subject, issuer, SANs, validity); `init --dir`
// makes a development PKI (CA, server and admin client certificates) so TLS and mTLS are one
// command away (docs/security.md, "Certificates").
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "security/cert_authority.h"
#include "security/certificate.h"

namespace novacron::cli {
namespace {

int ExitCodeFor(const Status& status) {
  return status.code() == ErrorCode::kInvalidArgument ? kExitUsage : kExitFailed;
}

std::string DescribeExpiry(int64_t seconds) {
  int64_t days = (seconds >= 0 ? seconds : -seconds) / 86400;
  if (seconds < 0) return "EXPIRED " + std::to_string(days) + " days ago";
  return "expires in " + std::to_string(days) + " days";
}

void PrintCertificate(const std::string& path, const security::CertificateInfo& info) {
  std::string sans;
  for (const std::string& san : info.sans) sans += (sans.empty() ? "" : ", ") + san;
  std::cout << "file:       " << path << "\n"
            << "subject:    " << info.subject << "\n"
            << "issuer:     " << info.issuer << "\n"
            << "sans:       " << (sans.empty() ? "-" : sans) << "\n"
            << "not before: " << security::FormatUtc(info.not_before) << "\n"
            << "not after:  " << security::FormatUtc(info.not_after) << " ("
            << DescribeExpiry(info.SecondsToExpiry()) << ")\n"
            << "ca:         " << (info.is_ca ? "yes" : "no") << "\n";
}

void AddShow(CLI::App& cert, int& exit_code) {
  struct Options {
    std::string file;
    std::string output = "text";
  };
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = cert.add_subcommand(
      "show", "Print a PEM certificate: subject, issuer, SANs, validity and days to expiry.");
  cmd->add_option("FILE", opts->file, "PEM certificate file")->required();
  cmd->add_option("-o,--output", opts->output, "text or json")
      ->check(CLI::IsMember({"text", "json"}));
  cmd->callback([opts, &exit_code] {
    auto info = security::ReadCertificateInfo(opts->file);
    if (!info.ok()) {
      std::cerr << "novacron cert show: " << info.status().ToString() << "\n";
      exit_code = ExitCodeFor(info.status());
      return;
    }
    if (opts->output == "json") {
      std::cout << nlohmann::json{{"file", opts->file},
                                  {"subject", info->subject},
                                  {"issuer", info->issuer},
                                  {"sans", info->sans},
                                  {"not_before", security::FormatUtc(info->not_before)},
                                  {"not_after", security::FormatUtc(info->not_after)},
                                  {"seconds_to_expiry", info->SecondsToExpiry()},
                                  {"ca", info->is_ca}}
                       .dump(2)
                << "\n";
    } else {
      PrintCertificate(opts->file, *info);
    }
    exit_code = kExitOk;
  });
}

void AddInit(CLI::App& cert, int& exit_code) {
  auto opts = std::make_shared<security::DevPkiOptions>();
  CLI::App* cmd = cert.add_subcommand(
      "init",
      "Make a development PKI in DIR: ca.crt/ca.key (EC P-256), server.crt/server.key for this "
      "node's names and addresses (host name, localhost, 127.0.0.1, ::1, --san), and "
      "client.crt/client.key (CN=admin, O=admin). Keys are 0600. Not for production CAs.");
  cmd->add_option("--dir", opts->dir, "Directory to write to (created 0700)")->required();
  cmd->add_option("--san", opts->extra_sans,
                  "Another host name or IP address for the server certificate (repeatable)");
  cmd->add_option("--days", opts->days, "Validity of the server and client certificates")
      ->capture_default_str();
  cmd->add_flag("--force", opts->force, "Overwrite existing files");
  cmd->callback([opts, &exit_code] {
    auto files = security::CreateDevPki(*opts);
    if (!files.ok()) {
      std::cerr << "novacron cert init: " << files.status().ToString() << "\n";
      exit_code = ExitCodeFor(files.status());
      return;
    }
    std::string sans;
    for (const std::string& san : files->server_sans) sans += (sans.empty() ? "" : ", ") + san;
    std::cout << "wrote " << files->ca_cert << " and " << files->ca_key << " (development CA)\n"
              << "wrote " << files->server_cert << " and " << files->server_key << " (" << sans
              << ")\n"
              << "wrote " << files->client_cert << " and " << files->client_key
              << " (CN=admin, O=admin)\n\n"
              << "Serve the API over TLS (novacron.yaml):\n"
              << "  security:\n"
              << "    tls:\n"
              << "      cert_file: " << files->server_cert << "\n"
              << "      key_file: " << files->server_key << "\n"
              << "      ca_file: " << files->ca_cert << "   # for auth_method: mtls\n"
              << "Then: novacron status --server https://127.0.0.1:8080 --cacert " << files->ca_cert
              << " --cert " << files->client_cert << " --key " << files->client_key << "\n";
    exit_code = kExitOk;
  });
}

}  // namespace

void AddCertCommand(CLI::App& app, int& exit_code) {
  CLI::App* cert = app.add_subcommand(
      "cert", "TLS certificates: show one, or make a development PKI (docs/security.md)");
  cert->require_subcommand(1);
  AddShow(*cert, exit_code);
  AddInit(*cert, exit_code);
}

}  // namespace novacron::cli
