// The `novacron` subcommands. Each Add* registers one on `app`; its callback stores the process
// exit code in `exit_code`.
#pragma once

#include <CLI/App.hpp>

#include "daemon/exit_codes.h"

namespace novacron::cli {

void AddRunCommand(CLI::App& app, int& exit_code);
void AddCheckCommand(CLI::App& app, int& exit_code);
void AddConfigCommand(CLI::App& app, int& exit_code);
void AddGraphCommand(CLI::App& app, int& exit_code);
void AddStatusCommand(CLI::App& app, int& exit_code);
void AddBootsCommand(CLI::App& app, int& exit_code);
void AddVmCommand(CLI::App& app, int& exit_code);  // cmd_vm.cc
void AddTokenCommand(CLI::App& app, int& exit_code);
void AddCertCommand(CLI::App& app, int& exit_code);     // cmd_cert.cc
void AddAuditCommand(CLI::App& app, int& exit_code);    // cmd_audit.cc
void AddSecretCommand(CLI::App& app, int& exit_code);   // cmd_secret.cc
void AddClusterCommand(CLI::App& app, int& exit_code);  // cmd_cluster.cc
void AddNodeCommand(CLI::App& app, int& exit_code);     // cmd_cluster.cc
void AddSimCommand(CLI::App& app, int& exit_code);      // cmd_sim.cc

const char* Version();

}  // namespace novacron::cli
